/* Small enhancements for every page; each page works without them.
   - the menu folds behind a "Menu" button on narrow screens;
   - a form's error summary takes the focus, so the problems are read out first. */
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (toggle && menu) {
    var narrow = window.matchMedia("(max-width: 50em)");
    var sync = function () {
      toggle.hidden = !narrow.matches;
      if (!narrow.matches) {
        menu.classList.remove("menu-closed");
        toggle.setAttribute("aria-expanded", "false");
      } else if (toggle.getAttribute("aria-expanded") !== "true") {
        menu.classList.add("menu-closed");
      }
    };
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("menu-closed", !open);
    });
    narrow.addEventListener("change", sync);
    sync();
  }
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
