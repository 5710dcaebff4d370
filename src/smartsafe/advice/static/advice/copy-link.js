// "Copy link" for counsellors: copies an article's public address. Without JavaScript the
// address stays in a read-only field to select by hand, and the button stays hidden.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-button]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-button"));
    if (!input) return;
    var status = button.closest(".field") && button.closest(".field").querySelector("[data-copy-status]");
    button.hidden = false;
    function done(message) {
      if (status) status.textContent = message;
    }
    button.addEventListener("click", function () {
      var copied = button.getAttribute("data-copied") || "Copied.";
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { done(copied); },
          function () { input.select(); }
        );
      } else {
        input.select();
        try {
          document.execCommand("copy");
          done(copied);
        } catch (e) {
          /* selected: the person copies it themselves */
        }
      }
    });
  });
})();
