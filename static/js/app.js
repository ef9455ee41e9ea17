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

// My work's count in the navigation: read after the page loaded (no page pays for it).
(function () {
  "use strict";
  var badge = document.getElementById("nav-work-count");
  if (!badge || !window.fetch) { return; }
  fetch(badge.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (counts) {
      if (!counts || !counts.total) { return; }
      badge.textContent = counts.total;
      badge.insertAdjacentHTML("beforeend", '<span class="visually-hidden"> items need you</span>');
      badge.hidden = false;
    })
    .catch(function () {});
})();
