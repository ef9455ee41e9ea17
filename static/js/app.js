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

// A table wider than the screen scrolls inside its own box (app.css). Keyboard users must be
// able to scroll it too: such a box becomes focusable (arrow keys scroll it), and stops being
// so when it fits again. A ResizeObserver follows every later change of size (the window turned,
// a <details> opened, a chart or a web font arrived).
(function () {
  "use strict";
  var update = function (box) {
    var scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.scrollFocus = "1";
    } else if (!scrolls && box.dataset.scrollFocus) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  };
  var boxes = document.querySelectorAll("main .table-responsive, main table.table");
  boxes.forEach(update);
  if ("ResizeObserver" in window) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { update(entry.target); });
    });
    boxes.forEach(function (box) {
      observer.observe(box);
      Array.prototype.forEach.call(box.children, function (child) { observer.observe(child); });
    });
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
