/* smartsafe staff interface: progressive enhancement only.
 *
 * Every page works without this file: forms submit normally, the call duration can be typed,
 * the language switch has its own button. Loaded with `defer` from 'self' (strict CSP: no inline
 * scripts, no inline styles, no eval). Behaviour is attached through data-* attributes.
 */
(function () {
  "use strict";

  function each(selector, root, fn) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function formatSeconds(total) {
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(seconds);
  }

  /* The language switch changes language as soon as another is chosen; its button is hidden. */
  function autosubmit(root) {
    each("form[data-autosubmit]", root, function (form) {
      each("[data-autosubmit-button]", form, function (button) { button.hidden = true; });
      form.addEventListener("change", function () { form.submit(); });
    });
  }

  /* An error summary takes the focus, so screen readers announce it and Tab reaches its links. */
  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  }

  /* The call timer: counts from when the page was first served (the server says how long ago),
   * "End call" freezes it and writes mm:ss into the duration field, which the counsellor can
   * still correct. Without this script the duration is typed, or taken as the time until saving. */
  function callTimer(root) {
    each("[data-call-timer]", root, function (box) {
      var display = box.querySelector("[data-timer-display]");
      var value = box.querySelector("[data-timer-value]");
      var running = box.querySelector("[data-timer-running]");
      var stop = box.querySelector("[data-timer-stop]");
      var field = box.querySelector("input[name='duration']");
      var offset = parseInt(box.getAttribute("data-elapsed"), 10) || 0;
      var openedAt = Date.now();
      var stopped = false;
      var timer;

      function elapsed() {
        return offset + Math.floor((Date.now() - openedAt) / 1000);
      }
      function tick() {
        value.textContent = formatSeconds(elapsed());
      }

      display.hidden = false;
      running.hidden = false;
      stop.hidden = false;
      tick();
      timer = window.setInterval(tick, 1000);

      stop.addEventListener("click", function () {
        if (stopped) { return; }
        stopped = true;
        window.clearInterval(timer);
        tick();
        box.classList.add("is-stopped");
        running.hidden = true;
        stop.hidden = true;
        if (field && !field.value.trim()) {
          var total = elapsed();
          field.value = Math.floor(total / 60) + ":" + pad(total % 60);
        }
      });
    });
  }

  /* Ctrl+Enter (Cmd+Enter) saves from anywhere in the form with the primary button. */
  function shortcuts(root) {
    each("form[data-shortcuts]", root, function (form) {
      form.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          var primary = form.querySelector("button.button-primary[type='submit']");
          if (primary) {
            event.preventDefault();
            primary.click();
          }
        }
      });
    });
  }

  /* Ticking a topic that usually means immediate danger reminds the counsellor of the urgent box. */
  function urgentHint(root) {
    each("form", root, function (form) {
      var hint = form.querySelector("[data-urgent-hint]");
      var urgent = form.querySelector("input[name='urgent']");
      if (!hint || !urgent) { return; }
      function update() {
        var suggested = form.querySelector("input[data-suggests-urgent]:checked");
        hint.hidden = !(suggested && !urgent.checked);
      }
      form.addEventListener("change", update);
      update();
    });
  }

  /* A second click on a POST button while the first is still on its way does nothing:
   * no duplicate contacts from a double click. */
  function singleSubmit(root) {
    each("form[method='post'], form[method='POST']", root, function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-submitting") === "true") {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-submitting", "true");
        form.classList.add("is-submitting");
      });
    });
  }

  /* Leaving a call form with unsaved text asks first; saving does not. */
  function guardUnsaved(root) {
    each("form[data-call-form]", root, function (form) {
      var dirty = false;
      form.addEventListener("input", function () { dirty = true; });
      form.addEventListener("submit", function () { dirty = false; });
      window.addEventListener("beforeunload", function (event) {
        if (dirty) {
          event.preventDefault();
          event.returnValue = "";
        }
      });
    });
  }

  function init(root) {
    autosubmit(root);
    callTimer(root);
    shortcuts(root);
    urgentHint(root);
    singleSubmit(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    guardUnsaved(document);
    focusErrors(document);
  });

  // A filter form sent by htmx leaves out the empty fields: shorter, shareable URLs in the history.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (!detail || String(detail.verb).toLowerCase() !== "get") { return; }
    if (!detail.elt || !detail.elt.closest || !detail.elt.closest("[data-drop-empty]")) { return; }
    Object.keys(detail.parameters).forEach(function (name) {
      var values = detail.parameters.getAll(name).filter(function (value) { return value !== ""; });
      if (!values.length) { delete detail.parameters[name]; }
    });
  });

  // Content swapped in by htmx gets the same behaviour.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target !== document.body) { init(event.target); }
  });

  // Back/forward cache: a restored page must accept a new submission.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      each("form[data-submitting]", document, function (form) {
        form.removeAttribute("data-submitting");
        form.classList.remove("is-submitting");
      });
    }
  });
})();
