// The dev server's reload script, served at __briefgen__/livereload.js and injected into every page
// (briefgen/serve.py fills in __CSS__, __TITLE__ and __HINT__). Server-Sent Events say when to reload,
// swap stylesheets, or show the last build's errors over the page.
(function () {
  "use strict";
  var script = document.currentScript;
  var OVERLAY_ID = "__briefgen_overlay";
  var STYLE_ID = "__briefgen_style";

  function showError(text) {
    if (!document.getElementById(STYLE_ID)) {
      var style = document.createElement("style");
      style.id = STYLE_ID;
      style.textContent = __CSS__;
      (document.head || document.documentElement).appendChild(style);
    }
    var overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alert");
      var title = document.createElement("div");
      title.className = "__briefgen_title";
      title.textContent = __TITLE__;
      var hint = document.createElement("div");
      hint.className = "__briefgen_hint";
      hint.textContent = __HINT__;
      overlay.append(title, document.createElement("pre"), hint);
      (document.body || document.documentElement).appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  function refreshStylesheets(token) {
    document.querySelectorAll('link[rel~="stylesheet"][href]').forEach(function (link) {
      var url = new URL(link.href, document.baseURI);
      if (url.origin !== location.origin) return;
      url.searchParams.set("briefgen-reload", token);
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      // Keep the old sheet until the new one is in, so the page never shows unstyled.
      var drop = function () { link.remove(); };
      fresh.addEventListener("load", drop);
      fresh.addEventListener("error", drop);
      link.after(fresh);
    });
  }

  var version = script.dataset.version;  // of the build this page reflects
  var source = null;

  function connect() {
    if (source || document.visibilityState === "hidden") return;
    source = new EventSource(script.dataset.events + "?since=" + encodeURIComponent(version));
    source.addEventListener("reload", function () {
      disconnect();
      location.reload();
    });
    source.addEventListener("css", function (event) {
      version = event.lastEventId;
      refreshStylesheets(version);
    });
    source.addEventListener("error", function (event) {
      // A dropped connection fires "error" too, without data: EventSource retries by itself.
      if (typeof event.data !== "string") return;
      version = event.lastEventId;
      showError(JSON.parse(event.data).text);
    });
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  // Browsers open about six connections per server: hidden tabs give theirs back,
  // and catch up when shown again (the server sends what they missed since `version`).
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect();
    else connect();
  });
  connect();
})();
