/* The chat button for a school's or a partner's own site (docs/chat.md, "The snippet"):
 *
 *   <script src="https://CENTRE/static/chat/embed.js" data-language="sr-latn" defer></script>
 *
 * It adds one button; a click opens the centre's chat page in a small window of the centre's own
 * site (so the chat, its quick exit and its privacy are the centre's, not the host page's). The
 * host page learns nothing of the chat. Optional attributes: data-language (sr, sr-latn, en),
 * data-label (the button's text), data-position ("left" for the bottom left corner).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var origin = new URL(script.src).origin;
  var language = script.getAttribute("data-language") || "";
  var labels = { "sr": "Разговарај са саветником", "sr-latn": "Razgovaraj sa savetnikom", "en": "Chat with a counsellor" };
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = script.getAttribute("data-label") || labels[language] || labels.sr;
  button.setAttribute("data-smartsafe-chat", "");
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  button.style.cssText = "position:fixed;bottom:1rem;" + side + ":1rem;z-index:2147483000;padding:0.75rem 1.25rem;" +
    "border:0;border-radius:2rem;background:#1d4e89;color:#fff;font:600 1rem/1.2 system-ui,sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
  button.addEventListener("click", function () {
    var url = origin + "/public/chat/?via=embed" + (language ? "&lang=" + encodeURIComponent(language) : "");
    // Not the "noopener" feature: with it window.open always returns null, so a pop-up that did
    // open could not be told from a blocked one (and the page would load twice, in both windows).
    var opened = window.open(url, "smartsafe-chat", "width=440,height=680");
    if (!opened) { window.location.href = url; return; }  // a blocked pop-up: go there in this tab
    // The chat window must not reach back into the host page. Right after window.open it still
    // shows the blank page of this origin, so this is allowed; a chat window left open from an
    // earlier click is the centre's origin already and was cut loose then.
    try { opened.opener = null; } catch (e) { /* an earlier window: cut loose already */ }
    opened.focus();
  });
  function add() { document.body.appendChild(button); }
  if (document.body) { add(); } else { document.addEventListener("DOMContentLoaded", add); }
})();
