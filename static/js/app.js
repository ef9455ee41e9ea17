// Site-wide behaviour. No inline script anywhere (strict CSP).
(function () {
  "use strict";
  // Idle logoff: the server ends idle sessions; the page follows so PHI does not stay on screen.
  var body = document.body;
  var timeout = parseInt(body.dataset.idleTimeout || "0", 10);
  if (timeout > 0) {
    var timer;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        window.location.href = body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
      }, (timeout + 5) * 1000);
    };
    ["click", "keydown"].forEach(function (evt) { document.addEventListener(evt, reset, { passive: true }); });
    reset();
  }
})();
