/* Quick exit: leave for a neutral page and replace this page in the history, so the Back
   button does not lead here. Without JavaScript the link still leaves (one history entry stays). */
(function () {
  "use strict";
  // Other scripts of the page clean up first (the live chat ends itself and forgets the chat).
  function announce() {
    try { document.dispatchEvent(new Event("smartsafe:quick-exit")); } catch (e) { /* leave anyway */ }
  }
  function leave(event) {
    var link = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (!link) { return; }
    event.preventDefault();
    announce();
    try { document.body.style.visibility = "hidden"; } catch (e) { /* nothing to hide */ }
    window.location.replace(link.href);
  }
  document.addEventListener("click", leave);
  // Escape pressed twice quickly also leaves.
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 600) {
      var link = document.querySelector("[data-quick-exit]");
      if (link) { announce(); window.location.replace(link.href); }
    }
    last = now;
  });
})();
