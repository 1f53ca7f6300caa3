// How pages hand in a document (an appeal, an exemption): the form's fields and one chosen file go as
// JSON, the file base64, with the session's CSRF token. Resolves to {ok, status, body}.
window.tamwinSendDocument = function (url, csrf, fields, file) {
  return new Promise(function (resolve) {
    var reader = new FileReader();
    reader.onload = async function () {
      var body = Object.assign({}, fields, { document_name: file.name, document_type: file.type,
        document_base64: reader.result.split(',')[1] || '' });
      var res = await fetch(url, { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) });
      resolve({ ok: res.ok, status: res.status, body: await res.json().catch(function () { return {}; }) });
    };
    reader.readAsDataURL(file);
  });
};
// A refusal's message in the page's language.
window.tamwinProblem = function (r) {
  return (document.documentElement.lang === 'en' ? r.body.message_en : r.body.message_ar) || String(r.status);
};
