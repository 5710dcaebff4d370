/* The child's side of the live chat (/public/chat/, smartsafe/chat/consumers.py).
 *
 * Progressive: without this script the page is a leave-a-message form. The chat's id, secret and
 * the last message id seen live in sessionStorage (this tab only), so a reload or a reconnect
 * after a server restart resumes the chat and fetches what it missed; quick exit ends the chat,
 * forgets all of it and empties the page. Labels come from data-* attributes (translated).
 */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || !("WebSocket" in window) || !window.sessionStorage || !window.fetch) { return; }
  var KEY = "smartsafe-chat";
  var $ = function (sel) { return root.querySelector(sel); };
  var label = function (name) { return root.getAttribute("data-label-" + name) || ""; };
  var list = $("[data-chat-messages]"), status = $("[data-chat-status]"), typingBox = $("[data-chat-typing]");
  var errorBox = $("[data-chat-error]"), text = $("[data-chat-text]");
  var state = null, socket = null, delay = 500, ended = false, pending = {}, typingTimer = null, lastTyping = 0;
  // While the chat waits, the page says it is still here every 30 s: a chat whose page has
  // gone quiet for minutes (the tab closed, the phone offline) leaves the queue by itself.
  var PING_MS = 30000, pinger = null;

  function load() { try { return JSON.parse(sessionStorage.getItem(KEY)); } catch (e) { return null; } }
  function save() { if (state) { sessionStorage.setItem(KEY, JSON.stringify(state)); } }
  function forget() { sessionStorage.removeItem(KEY); state = null; }

  function system(code) {
    return { joined: label("joined"), transferred: label("transferred"), ended: label("ended") }[code] || "";
  }

  function render(message) {
    if (list.querySelector('[data-id="' + message.id + '"]')) { return; }
    var item = message.client_id && pending[message.client_id];
    if (item) { delete pending[message.client_id]; } else { item = document.createElement("li"); list.appendChild(item); }
    item.className = "chat-msg chat-msg-" + message.sender;
    item.setAttribute("data-id", String(message.id));
    item.textContent = "";
    if (message.sender === "system") {
      item.textContent = system(message.text);
    } else {
      var who = document.createElement("span");
      who.className = "chat-who";
      who.textContent = message.sender === "child" ? label("you") : label("counsellor");
      var body = document.createElement("span");
      body.className = "chat-text";
      body.textContent = message.file ? label("file") + " " + message.text : message.text;
      item.appendChild(who); item.appendChild(body);
      if (message.sender === "child") {
        var read = document.createElement("span");
        read.className = "chat-read"; read.textContent = label("read"); read.hidden = !message.read;
        item.appendChild(read);
      }
    }
    if (message.id > state.last) { state.last = message.id; save(); }
    if (message.sender !== "child" && socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: "read", upto: message.id }));
    }
    list.scrollTop = list.scrollHeight;
    item.scrollIntoView && item.scrollIntoView({ block: "end" });
  }

  function markRead(upto) {
    var items = list.querySelectorAll(".chat-msg-child");
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].getAttribute("data-id")) <= upto) {
        var read = items[i].querySelector(".chat-read");
        if (read) { read.hidden = false; }
      }
    }
  }

  function showError(message) {
    errorBox.textContent = message; errorBox.hidden = false;
    window.setTimeout(function () { errorBox.hidden = true; }, 5000);
  }

  function finish() {
    ended = true;
    status.textContent = label("ended");
    $("[data-chat-compose]").hidden = true;
    forget();
    if (socket) { socket.close(); }
  }

  function handle(m) {
    if (!m || typeof m !== "object") { return; }
    if (m.type === "message") { render(m); }
    else if (m.type === "queue" || m.type === "state") {
      if (m.state === "waiting" && m.position) {
        status.textContent = label("queue").replace("{position}", m.position)
          .replace("{minutes}", Math.max(1, Math.round(m.wait_seconds / 60)));
      } else if (m.state === "active") { status.textContent = ""; }
      else if (m.state === "ended" || m.state === "abandoned") { finish(); }
    }
    else if (m.type === "typing" && m.sender === "counsellor") {
      typingBox.textContent = label("typing"); typingBox.hidden = false;
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { typingBox.hidden = true; }, 3000);
    }
    else if (m.type === "read" && m.reader === "counsellor") { markRead(m.upto); }
    else if (m.type === "error") {
      if (m.code === "not_found") { forget(); finish(); } else { showError(m.message); }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/chat/");
    socket.addEventListener("open", function () {
      delay = 500;
      window.clearInterval(pinger);
      pinger = window.setInterval(function () {
        if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "ping" })); }
      }, PING_MS);
      socket.send(JSON.stringify({ type: "hello", session: state.session, token: state.token, since: state.last }));
      // Messages sent while the connection was down: the server stores each client_id once.
      Object.keys(pending).forEach(function (id) {
        socket.send(JSON.stringify({ type: "message", text: pending[id].getAttribute("data-text"), client_id: id }));
      });
    });
    socket.addEventListener("message", function (event) {
      try { handle(JSON.parse(event.data)); } catch (e) { /* not ours */ }
    });
    socket.addEventListener("close", function () {
      window.clearInterval(pinger);
      if (ended || !state) { return; }
      status.textContent = label("reconnecting");
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }

  function live() {
    $("[data-chat-start]").hidden = true;
    $("[data-chat-live]").hidden = false;
    connect();
  }

  $("[data-chat-start]").addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(event.target);
    data.set("via", root.getAttribute("data-via") || "portal");
    fetch(root.getAttribute("data-start-url"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        // A refusal of the start view is JSON; anything else (a proxy's page, a stale form) is not.
        return response.json().catch(function () { return {}; }).then(function (body) { return [response.ok, body]; });
      })
      .then(function (result) {
        if (!result[0] || !result[1].session) { return notStarted(result[1].error); }
        state = { session: result[1].session, token: result[1].token, last: 0 };
        save(); live();
      }, function () { notStarted(); });  // no connection at all
  });

  function notStarted(message) {  // stays shown: the start form is still there to try again
    errorBox.textContent = message || label("not-started"); errorBox.hidden = false;
  }

  $("[data-chat-compose]").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = text.value.trim();
    if (!body || !state) { return; }
    var id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    var item = document.createElement("li");
    item.className = "chat-msg chat-msg-child chat-msg-pending";
    item.setAttribute("data-text", body);
    item.textContent = body;
    list.appendChild(item);
    pending[id] = item;
    text.value = "";
    lastTyping = 0;  // typing the next message is news again
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "message", text: body, client_id: id })); }
  });

  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("[data-chat-compose]").requestSubmit(); }
  });
  text.addEventListener("input", function () {
    var now = Date.now();
    if (socket && socket.readyState === 1 && now - lastTyping > 2000) {
      lastTyping = now; socket.send(JSON.stringify({ type: "typing" }));
    }
  });
  // A file goes to the evidence vault over HTTP (with the page's CSRF token); it comes back as a message.
  var fileInput = $("[data-chat-file]");
  fileInput.addEventListener("change", function () {
    if (!state || !fileInput.files.length) { return; }
    var data = new FormData();
    data.set("session", state.session); data.set("token", state.token); data.set("file", fileInput.files[0]);
    data.set("csrfmiddlewaretoken", $("[data-chat-start] [name=csrfmiddlewaretoken]").value);
    fetch(root.getAttribute("data-file-url"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) { if (body.error) { showError(body.error); } });
    fileInput.value = "";
  });
  $("[data-chat-end]").addEventListener("click", function () {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "end" })); }
  });

  // Quick exit (portal/quick-exit.js): end the chat, forget it, empty the page.
  document.addEventListener("smartsafe:quick-exit", function () {
    if (state && navigator.sendBeacon) {
      var data = new FormData();
      data.set("session", state.session); data.set("token", state.token);
      navigator.sendBeacon(root.getAttribute("data-end-url"), data);
    }
    ended = true; forget();
    if (socket) { socket.close(); }
    list.textContent = ""; text.value = "";
  });

  root.hidden = false;
  var nojs = document.querySelector("[data-chat-nojs]");
  if (nojs) { nojs.hidden = true; }
  state = load();
  // A fresh page has no messages yet: fetch the whole chat, then only what comes after.
  if (state && state.session) { state.last = 0; live(); }
})();
