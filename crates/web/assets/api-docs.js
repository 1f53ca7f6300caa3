// Renders /api/openapi.json on the offline documentation page (a file of its own: the CSP allows no
// inline script).
fetch('/api/openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('ver').textContent = 'OpenAPI ' + doc.openapi + ' · ' + doc.info.version;
  const ops = document.getElementById('ops'); ops.textContent = '';
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const d = document.createElement('div'); d.className = 'op';
      const h = document.createElement('div');
      const m = document.createElement('span'); m.className = 'm ' + method; m.textContent = method;
      const p = document.createElement('code'); p.textContent = path;
      h.append(m, p); d.append(h);
      if (op.description || op.summary) { const s = document.createElement('p'); s.textContent = op.summary || op.description; d.append(s); }
      const params = (op.parameters || []).map(x => x.name + ' (' + x.in + (x.required ? ', required' : '') + ')');
      if (params.length) { const s = document.createElement('p'); s.textContent = 'Parameters: ' + params.join(', '); d.append(s); }
      const codes = Object.keys(op.responses || {});
      const s = document.createElement('p'); s.textContent = 'Responses: ' + codes.join(', '); d.append(s);
      ops.append(d);
    }
  }
  const sc = document.getElementById('schemas');
  for (const [name, schema] of Object.entries((doc.components || {}).schemas || {})) {
    const h = document.createElement('h3'); h.textContent = name;
    const pre = document.createElement('pre'); pre.textContent = JSON.stringify(schema, null, 2);
    sc.append(h, pre);
  }
});
