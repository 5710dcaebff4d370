/* Live inbox and screen pops over the websocket /ws/inbox/ (smartsafe/inbox/consumers.py).
 *
 * Progressive enhancement: without this script every page works, only without live updates.
 * Messages from the server:
 *   {"type": "contact"|"read", "id": …}  a contact arrived or was first opened → the inbox list
 *                                         reloads its results (htmx, trigger "live:contact");
 *   {"type": "calls"}                     the call-back list changed (trigger "live:calls");
 *   {"type": "chat"}                      the waiting chats changed (trigger "live:chat", chat app);
 *   {"type": "screen_pop", "url": …}      a call this person answered: the call form opens, or,
 *                                         when the page holds unsaved input, a banner links to it.
 * Labels come from data-* attributes of this script's tag (translated by the server).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !("WebSocket" in window)) { return; }
  var label = function (name, fallback) { return script.getAttribute("data-" + name) || fallback; };
  var everOpen = false;
  var delay = 1000;
  var pending = {};

  function fire(name) {
    // Several arrivals in a burst make one reload.
    if (pending[name]) { return; }
    pending[name] = window.setTimeout(function () {
      pending[name] = null;
      document.body.dispatchEvent(new CustomEvent(name, { bubbles: true }));
    }, 400);
  }

  function onInboxChange() {
    var refresh = document.querySelector("[data-live-refresh]");
    if (!refresh) { return; }
    var page = new URLSearchParams(window.location.search).get("page");
    if (page && page !== "1") {
      // Further pages would jump back to the first one: say so instead.
      var notice = document.querySelector("[data-live-notice]");
      if (notice) { notice.hidden = false; }
      return;
    }
    fire("live:contact");
  }

  function hasUnsavedInput() {
    var forms = document.querySelectorAll("form");
    for (var f = 0; f < forms.length; f++) {
      if ((forms[f].getAttribute("method") || "get").toLowerCase() !== "post") { continue; }
      var fields = forms[f].elements;
      for (var i = 0; i < fields.length; i++) {
        var el = fields[i];
        if (el.type === "hidden" || el.type === "submit" || el.type === "button") { continue; }
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked !== el.defaultChecked) { return true; }
        } else if (el.tagName === "SELECT") {
          for (var o = 0; o < el.options.length; o++) {
            if (el.options[o].selected !== el.options[o].defaultSelected) { return true; }
          }
        } else if ("defaultValue" in el && el.value !== el.defaultValue) {
          return true;
        }
      }
    }
    return false;
  }

  function sameOrigin(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function banner(pop) {
    var old = document.querySelector(".screen-pop");
    if (old) { old.remove(); }
    var box = element("div", "card screen-pop");
    box.setAttribute("role", "alert");
    var caller = pop.withheld ? label("withheld", "Number withheld") : String(pop.caller_hint || "");
    box.appendChild(element("p", "screen-pop-title", label("title", "Call answered") + " · " + caller));
    if (pop.earlier_count) {
      box.appendChild(element("p", "muted", label("earlier", "Earlier contacts:") + " " + String(pop.earlier_count)));
      var list = element("ul", "screen-pop-earlier");
      (pop.earlier || []).forEach(function (item) {
        var li = element("li");
        if (sameOrigin(item.url)) {
          var a = element("a", "", String(item.reference || ""));
          a.href = item.url; a.target = "_blank"; a.rel = "noopener";
          li.appendChild(a);
        }
        if (item.urgent) { li.appendChild(element("span", "badge badge-urgent", label("urgent", "Urgent"))); }
        li.appendChild(element("span", "muted", " " + String(item.summary || "")));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    var actions = element("p", "toolbar");
    var open = element("a", "button button-primary", label("open", "Open the call form"));
    open.href = pop.url; open.target = "_blank"; open.rel = "noopener";
    var close = element("button", "button button-quiet", label("dismiss", "Dismiss"));
    close.type = "button";
    close.addEventListener("click", function () { box.remove(); });
    actions.appendChild(open); actions.appendChild(close);
    box.appendChild(actions);
    var main = document.getElementById("main") || document.body;
    main.insertBefore(box, main.firstChild);
  }

  function screenPop(pop) {
    if (!sameOrigin(pop.url)) { return; }
    if (hasUnsavedInput()) {
      banner(pop);  // never throw away what someone is typing
    } else {
      window.location.assign(pop.url);
    }
  }

  function handle(message) {
    if (!message || typeof message !== "object") { return; }
    if (message.type === "contact" || message.type === "read") { onInboxChange(); }
    else if (message.type === "calls") { fire("live:calls"); }
    else if (message.type === "chat") { fire("live:chat"); }
    else if (message.type === "screen_pop") { screenPop(message); }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/inbox/");
    var ping = null;
    socket.addEventListener("open", function () {
      everOpen = true;
      delay = 1000;
      ping = window.setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 30000);
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      handle(message);
    });
    socket.addEventListener("close", function () {
      if (ping) { window.clearInterval(ping); }
      // Refused at the first try (a role without the inbox): do not knock again.
      if (!everOpen) { return; }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    });
  }

  connect();
})();
