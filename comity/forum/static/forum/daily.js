/* Daily use, for signed-in pages (every page works without it):
   - a warning before the idle timeout, with a button to stay signed in;
   - drafts of replies and new threads saved on the server as one types;
   - the language of a post: marks it as chosen when the writer changes it (else the server may detect it);
   - @mention suggestions as one types (a listbox, keyboard and pointer);
   - files chosen in a reply or new-thread form, uploaded after the post is written over tus, with progress. */
(function () {
  "use strict";
  var script = document.getElementById("daily-js");
  var T = function (key, fallback) {
    var el = document.getElementById("daily-strings");
    if (!el) { return fallback; }
    try { return JSON.parse(el.textContent)[key] || fallback; } catch (e) { return fallback; }
  };

  function csrf(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* --- idle warning ------------------------------------------------------------------------------------ */
  function idleWarning() {
    if (!script) { return; }
    var idle = parseInt(script.getAttribute("data-idle-seconds"), 10);
    var keepalive = script.getAttribute("data-keepalive-url");
    if (!idle || !keepalive) { return; }
    var warnBefore = Math.min(120, Math.floor(idle / 4));
    var timer = null, box = null;
    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(show, Math.max(1, idle - warnBefore) * 1000);
    }
    function hide() { if (box) { box.remove(); box = null; } }
    function show() {
      hide();
      box = document.createElement("div");
      box.className = "idle-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-live", "assertive");
      box.setAttribute("aria-labelledby", "idle-warning-text");
      var p = document.createElement("p");
      p.id = "idle-warning-text";
      p.textContent = T("idle", "You will be signed out soon because you have been inactive. What you are writing is kept as a draft.");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = T("stay", "Stay signed in");
      button.addEventListener("click", function () {
        fetch(keepalive, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { if (r.ok) { hide(); schedule(); } else { window.location.reload(); } });
      });
      box.appendChild(p);
      box.appendChild(button);
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
      button.focus();
    }
    schedule();
    window.comityIdleReset = schedule;
  }

  /* --- drafts -------------------------------------------------------------------------------------------- */
  function drafts(form) {
    var url = form.getAttribute("data-draft-url");
    if (!url) { return; }
    var status = form.querySelector(".draft-status");
    var waiting = null, last = null;
    function payload() {
      var data = new FormData();
      ["title", "body", "language"].forEach(function (name) {
        var field = form.elements[name];
        if (field) { data.append(name, field.value); }
      });
      return data;
    }
    function save() {
      var data = payload();
      var key = [data.get("title"), data.get("body"), data.get("language")].join("\u0000");
      if (key === last) { return; }
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf(form) } })
        .then(function (r) {
          if (r.ok) {
            last = key;
            if (status) { status.textContent = T("draft_saved", "Draft saved") + " " + new Date().toLocaleTimeString(); }
            if (window.comityIdleReset) { window.comityIdleReset(); }
          }
        })
        .catch(function () {});
    }
    form.addEventListener("input", function () {
      if (waiting) { clearTimeout(waiting); }
      waiting = setTimeout(save, 1500);
    });
    form.comitySaveDraft = save;
  }

  /* --- language ------------------------------------------------------------------------------------------ */
  function language(form) {
    var select = form.elements.language, chosen = form.elements.language_chosen;
    if (select && chosen) {
      select.addEventListener("change", function () { chosen.value = "1"; });
    }
  }

  /* --- mentions ------------------------------------------------------------------------------------------ */
  function mentions(form) {
    var url = form.getAttribute("data-mention-url");
    var area = form.elements.body;
    if (!url || !area) { return; }
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.id = area.id + "_mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", T("mention_label", "People to mention"));
    list.hidden = true;
    area.parentNode.insertBefore(list, area.nextSibling);
    area.setAttribute("aria-controls", list.id);
    area.setAttribute("aria-autocomplete", "list");
    var active = -1, people = [], pending = null;
    function token() {
      var before = area.value.slice(0, area.selectionStart);
      var m = /(^|[^\w@])@([^\s@]{2,40})$/.exec(before);
      return m ? { query: m[2], start: before.length - m[2].length - 1 } : null;
    }
    function close() { list.hidden = true; list.innerHTML = ""; people = []; active = -1; area.removeAttribute("aria-activedescendant"); }
    function choose(i) {
      var t = token();
      if (!t || !people[i]) { return close(); }
      var after = area.value.slice(area.selectionStart);
      var text = "@" + people[i].handle + " ";
      area.value = area.value.slice(0, t.start) + text + after;
      var caret = t.start + text.length;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (list.children[i]) { area.setAttribute("aria-activedescendant", list.children[i].id); }
    }
    function show(found) {
      people = found;
      list.innerHTML = "";
      if (!found.length) { return close(); }
      found.forEach(function (person, i) {
        var li = document.createElement("li");
        li.id = list.id + "_" + i;
        li.setAttribute("role", "option");
        li.textContent = person.name + (person.country ? " (" + person.country + ")" : "") + " @" + person.handle;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      highlight(0);
    }
    area.addEventListener("input", function () {
      var t = token();
      if (!t) { return close(); }
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(t.query), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { people: [] }; })
          .then(function (data) { show(data.people || []); })
          .catch(close);
      }, 200);
    });
    area.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % people.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + people.length) % people.length); }
      else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  /* --- uploads (tus) ------------------------------------------------------------------------------------- */
  var CHUNK = 1024 * 1024;
  function b64(text) { return btoa(unescape(encodeURIComponent(text))); }

  function tusUpload(file, postId, token, progress) {
    function create() {
      return fetch("/api/v1/uploads/", {
        method: "POST", credentials: "same-origin",
        headers: {
          "Tus-Resumable": "1.0.0", "Upload-Length": String(file.size), "X-CSRFToken": token,
          "Upload-Metadata": "filename " + b64(file.name) + ",post " + b64(String(postId))
        }
      }).then(function (r) {
        if (r.status !== 201) { return r.json().then(function (e) { throw new Error(e.detail || e.message || r.status); }, function () { throw new Error(String(r.status)); }); }
        return r.headers.get("Location");
      });
    }
    function offsetOf(location) {
      return fetch(location, { method: "HEAD", credentials: "same-origin", headers: { "Tus-Resumable": "1.0.0" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return parseInt(r.headers.get("Upload-Offset"), 10); });
    }
    function send(location, offset, tries) {
      if (offset >= file.size) { return Promise.resolve(location); }
      var piece = file.slice(offset, Math.min(file.size, offset + CHUNK));
      return fetch(location, {
        method: "PATCH", credentials: "same-origin", body: piece,
        headers: { "Tus-Resumable": "1.0.0", "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream", "X-CSRFToken": token }
      }).then(function (r) {
        if (r.status === 204) {
          var next = parseInt(r.headers.get("Upload-Offset"), 10);
          progress(next, file.size);
          return send(location, next, 0);
        }
        if (tries >= 3) { return r.json().then(function (e) { throw new Error(e.detail || e.message || r.status); }, function () { throw new Error(String(r.status)); }); }
        return offsetOf(location).then(function (o) { return send(location, o, tries + 1); });
      }, function () {
        if (tries >= 3) { throw new Error(T("network", "The connection was lost.")); }
        /* Resume where the server got to. */
        return new Promise(function (ok) { setTimeout(ok, 1000 * (tries + 1)); })
          .then(function () { return offsetOf(location); })
          .then(function (o) { return send(location, o, tries + 1); });
      });
    }
    if (file.size === 0) { return create(); }
    return create().then(function (location) { return send(location, 0, 0); });
  }

  function uploads(form) {
    var box = form.querySelector(".attach-js"), noJs = form.querySelector(".attach-nojs");
    var input = form.querySelector("[data-attach-files]");
    if (!box || !input || !window.fetch) { return; }
    box.hidden = false;
    if (noJs) { noJs.hidden = true; var check = noJs.querySelector("input"); if (check) { check.checked = false; } }
    var list = box.querySelector(".upload-progress");
    form.addEventListener("submit", function (e) {
      var submitter = e.submitter;
      if (submitter && submitter.name === "save_draft") { return; }
      if (!input.files.length) { return; }
      e.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      var token = csrf(form);
      var data = new FormData(form);
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) { input.value = ""; form.submit(); throw new Error("form"); }
          return r.json();
        })
        .then(function (result) {
          var chain = Promise.resolve(), failed = [];
          files.forEach(function (file) {
            var li = document.createElement("li");
            var label = document.createElement("span");
            label.textContent = file.name + " ";
            var bar = document.createElement("progress");
            bar.max = file.size || 1; bar.value = 0;
            bar.setAttribute("aria-label", file.name);
            li.appendChild(label); li.appendChild(bar);
            list.appendChild(li);
            chain = chain.then(function () {
              return tusUpload(file, result.post, token, function (done) { bar.value = done; })
                .then(function () { bar.value = bar.max; })
                .catch(function (err) {
                  failed.push(file.name);
                  var msg = document.createElement("span");
                  msg.className = "errors";
                  msg.textContent = " " + err.message;
                  li.appendChild(msg);
                });
            });
          });
          return chain.then(function () {
            if (!failed.length) { window.location.href = result.url; return; }
            var back = document.createElement("a");
            back.href = result.url;
            back.textContent = T("to_post", "Go to your post");
            list.appendChild(document.createElement("li")).appendChild(back);
          });
        })
        .catch(function () {});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    idleWarning();
    Array.prototype.forEach.call(document.querySelectorAll("form.compose"), function (form) {
      drafts(form); language(form); mentions(form); uploads(form);
    });
  });
})();
