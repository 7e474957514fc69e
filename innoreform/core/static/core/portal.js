// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  onReady(function () {
    // Selects marked data-autosubmit submit their form when changed (the button stays for no-JS use).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    // Filter panels start open on wide screens and folded on phones.
    if (window.matchMedia("(min-width: 760px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
    }
    // Forms marked data-confirm ask before submitting.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); }
    }, true);
    // Close an open <details> menu when clicking elsewhere.
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
      });
    });
    // Header menus: one open at a time; Escape closes the open one and returns focus to its summary.
    document.querySelectorAll("details.menu").forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        document.querySelectorAll("details.menu[open]").forEach(function (other) {
          if (other !== menu) { other.removeAttribute("open"); }
        });
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        var hadFocus = menu.contains(document.activeElement);
        menu.removeAttribute("open");
        if (hadFocus) { menu.querySelector("summary").focus(); }
      });
    });
    // Copy buttons: data-copy="element-id".
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (source && navigator.clipboard) {
          navigator.clipboard.writeText(source.textContent.trim()).then(function () {
            button.textContent = button.getAttribute("data-copied") || button.textContent;
          });
        }
      });
    });
  });
})();
