// The pages' behaviour, attached by id and class: the Content-Security-Policy allows no inline script, so
// values a script needs (the CSRF token, a message) come from data- attributes in the page.
(function () {
  // Print buttons (the appointment form, temporary cards).
  document.querySelectorAll('button.print').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  // The centre: a tablet's camera reads the form's QR where the browser can (BarcodeDetector); a
  // handheld scanner types into the field like a keyboard, so the field alone is enough everywhere else.
  var camera = document.getElementById('camera'), video = document.getElementById('viewfinder');
  if (camera && video && 'BarcodeDetector' in window && navigator.mediaDevices) {
    camera.hidden = false;
    camera.addEventListener('click', async function () {
      var detector = new BarcodeDetector({ formats: ['qr_code'] });
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream; video.hidden = false; await video.play();
      var tick = async function () {
        var found = await detector.detect(video).catch(function () { return []; });
        if (found.length) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          document.getElementById('scan').value = found[0].rawValue;
          document.getElementById('check-in').submit();
        } else { requestAnimationFrame(tick); }
      };
      tick();
    });
  }

  // The citizen's findings: an appeal goes to the API with its document; the page then reloads.
  var out = document.getElementById('appeal-result');
  document.querySelectorAll('.appeal-form').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      var file = form.document.files[0];
      if (!file) return;
      var r = await tamwinSendDocument('/api/v1/me/findings/' + form.dataset.finding + '/appeals', out.dataset.csrf,
        { statement: form.statement.value }, file);
      out.hidden = false;
      out.textContent = r.ok ? out.dataset.sent : tamwinProblem(r);
      if (r.ok) setTimeout(function () { location.reload(); }, 800);
    });
  });

  // Exemptions: a grant goes to the API with its document; the page then reloads with the list.
  var grant = document.getElementById('exemption-form'), result = document.getElementById('exemption-result');
  if (grant) {
    grant.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      var file = grant.document.files[0];
      if (!file) return;
      var nid = grant.dataset.nationalId;
      var fields = { national_id: nid, reason: grant.reason.value, valid_until: grant.valid_until.value,
        evidence: grant.evidence.value };
      if (grant.valid_from.value) fields.valid_from = grant.valid_from.value;
      var r = await tamwinSendDocument('/api/v1/exemptions', grant.dataset.csrf, fields, file);
      if (r.ok) {
        location.href = '/exemptions?national_id=' + encodeURIComponent(nid) + '&message=granted&lang=' +
          encodeURIComponent(document.documentElement.lang);
        return;
      }
      result.hidden = false;
      result.textContent = tamwinProblem(r);
    });
  }
})();
