/* The waiting-chats panel (inbox, /chat/): reloaded by htmx on each live "chat" event; when more
 * chats wait than before, a short tone plays and the tab's title shows the count. */
(function () {
  "use strict";
  var before = null, title = document.title;
  function tone() {
    try {
      var Audio = window.AudioContext || window.webkitAudioContext;
      if (!Audio) { return; }
      var audio = new Audio(), osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.1;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound: the badge still shows */ }
  }
  function check() {
    var panel = document.querySelector("[data-chat-waiting]");
    if (!panel) { return; }
    var count = Number(panel.getAttribute("data-count") || 0);
    if (before !== null && count > before) { tone(); }
    before = count;
    document.title = count ? "(" + count + ") " + title : title;
  }
  document.addEventListener("htmx:afterSwap", check);
  document.addEventListener("DOMContentLoaded", check);
})();
