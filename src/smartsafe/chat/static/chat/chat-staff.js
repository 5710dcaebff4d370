/* The counsellor's (or a watching supervisor's) side of a chat: /chat/<id>/ over /ws/chat/.
 * Without this script the page still shows the conversation and sends by form (reload to see more). */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || !root.getAttribute("data-open") || !("WebSocket" in window)) { return; }
  var $ = function (sel) { return root.querySelector(sel); };
  var label = function (name) { return root.getAttribute("data-label-" + name) || ""; };
  var list = $("[data-chat-messages]"), typingBox = $("[data-chat-typing]"), errorBox = $("[data-chat-error]");
  var form = $("[data-chat-compose]"), text = $("[data-chat-text]"), canned = $("[data-chat-canned]");
  var session = Number(root.getAttribute("data-session")), watch = !!root.getAttribute("data-watch");
  var socket = null, delay = 500, last = 0, closed = false, typingTimer = null, lastTyping = 0, pending = {};

  var items = list.querySelectorAll("[data-id]");
  for (var i = 0; i < items.length; i++) { last = Math.max(last, Number(items[i].getAttribute("data-id"))); }

  function render(m) {
    if (list.querySelector('[data-id="' + m.id + '"]')) { return; }
    var item = (m.client_id && pending[m.client_id]) || document.createElement("li");
    if (m.client_id) { delete pending[m.client_id]; }
    item.className = "chat-msg chat-msg-" + m.sender;
    item.setAttribute("data-id", String(m.id));
    item.textContent = "";
    if (m.sender === "system") {
      item.textContent = label(m.text) || m.text;
    } else {
      var who = document.createElement("span"); who.className = "chat-who";
      who.textContent = (m.sender === "child" ? label("child") : label("counsellor")) + " · " +
        new Date(m.at).toTimeString().slice(0, 5);
      var body = document.createElement("span"); body.className = "chat-text";
      body.textContent = m.file ? label("file") + " " + m.text : m.text;
      item.appendChild(who); item.appendChild(body);
      if (m.sender === "counsellor") {
        var read = document.createElement("span"); read.className = "chat-read"; read.textContent = label("read");
        read.hidden = !m.read; item.appendChild(read);
      }
    }
    if (!item.parentNode) { list.appendChild(item); }
    last = Math.max(last, m.id);
    if (m.sender === "child" && !watch && socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: "read", upto: m.id }));
    }
    list.scrollTop = list.scrollHeight;
  }

  function handle(m) {
    if (!m || typeof m !== "object") { return; }
    if (m.type === "message") { render(m); }
    else if (m.type === "typing" && m.sender === "child") {
      typingBox.textContent = label("typing"); typingBox.hidden = false;
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { typingBox.hidden = true; }, 3000);
    }
    else if (m.type === "read" && m.reader === "child") {
      var mine = list.querySelectorAll(".chat-msg-counsellor");
      for (var i = 0; i < mine.length; i++) {
        if (Number(mine[i].getAttribute("data-id")) <= m.upto) {
          var read = mine[i].querySelector(".chat-read"); if (read) { read.hidden = false; }
        }
      }
    }
    else if (m.type === "state" && (m.state === "ended" || m.state === "abandoned")) {
      closed = true; if (form) { form.hidden = true; }
    }
    else if (m.type === "error") { errorBox.textContent = m.message; errorBox.hidden = false; }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/chat/");
    socket.addEventListener("open", function () {
      delay = 500; errorBox.hidden = true;
      socket.send(JSON.stringify({ type: "hello", session: session, since: last, watch: watch }));
      // What the page showed when it opened has been seen (a watching supervisor leaves no mark).
      if (!watch && last) { socket.send(JSON.stringify({ type: "read", upto: last })); }
      Object.keys(pending).forEach(function (id) {
        socket.send(JSON.stringify({ type: "message", text: pending[id].getAttribute("data-text"), client_id: id }));
      });
    });
    socket.addEventListener("message", function (event) {
      try { handle(JSON.parse(event.data)); } catch (e) { /* not ours */ }
    });
    socket.addEventListener("close", function () {
      if (closed) { return; }
      errorBox.textContent = label("reconnecting"); errorBox.hidden = false;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = text.value.trim();
      if (!body) { return; }
      var id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      var item = document.createElement("li");
      item.className = "chat-msg chat-msg-counsellor chat-msg-pending";
      item.setAttribute("data-text", body); item.textContent = body;
      list.appendChild(item); pending[id] = item;
      text.value = "";
      lastTyping = 0;  // typing the next message is news again
      if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "message", text: body, client_id: id })); }
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
    text.addEventListener("input", function () {
      var now = Date.now();
      if (socket && socket.readyState === 1 && now - lastTyping > 2000) {
        lastTyping = now; socket.send(JSON.stringify({ type: "typing" }));
      }
    });
  }
  if (canned) {
    canned.addEventListener("change", function () {
      if (canned.value) { text.value = canned.value; text.focus(); canned.value = ""; }
    });
  }
  connect();
  root.setAttribute("data-ready", "");  // wired up: what a person types or picks is handled now
})();
