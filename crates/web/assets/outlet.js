// The outlet's page: print the receipt, and scan the card's QR with the camera where the browser can
// read QR codes itself (BarcodeDetector); a scanner that types into the field works everywhere.
(function () {
  var print = document.getElementById("print");
  if (print) print.addEventListener("click", function () { window.print(); });
  var button = document.getElementById("camera");
  var view = document.getElementById("camera-view");
  var field = document.getElementById("card");
  if (!button || !view || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      view.srcObject = stream;
      view.hidden = false;
      view.play();
      var look = function () {
        detector.detect(view).then(function (codes) {
          if (codes.length > 0) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            view.hidden = true;
            field.value = codes[0].rawValue;
            document.getElementById("scan-form").submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }, function () { window.requestAnimationFrame(look); });
      };
      look();
    });
  });
})();
