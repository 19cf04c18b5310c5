/* briefgen: site search with Pagefind, on the search page only.
   The header's search box is a plain form that reaches this page with ?q=...;
   here the Pagefind UI (built into pagefind/ by the build, when Pagefind is
   installed) takes over and runs the query. Without JavaScript, or without
   an index, the page says where else to look. */
(function () {
  "use strict";
  var mount = document.getElementById("search");
  var status = document.getElementById("search-status");
  if (!mount || !status) return;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var query = new URLSearchParams(window.location.search).get("q") || "";
  if (input) input.value = query;

  function say(text) {
    status.textContent = text;
  }

  if (window.location.protocol === "file:") {
    // Browsers refuse fetch() and module loading from file:// pages.
    say("Search needs the site to be served over HTTP (any static host, or python -m http.server); " +
        "a page opened from disk cannot load the search index. Browse the archive or the entities instead.");
    return;
  }
  var root = new URL(mount.getAttribute("data-root") || "../", window.location.href);
  var index = new URL("pagefind/", root);
  var missing = "The search index is missing: this copy of the site was built without Pagefind. " +
      "Browse the archive or the entities instead.";
  var bundle = null;
  var pagefind = null;

  // The index is in shards (pagefind/shards.json lists them, newest first): the first is
  // Pagefind's primary bundle, the others are merged into it.
  fetch(new URL("shards.json", index).href).then(function (response) {
    if (!response.ok) throw new Error("no index");
    return response.json();
  }).then(function (listed) {
    var shards = (listed && listed.shards || []).map(function (shard) { return new URL(shard.key + "/", index); });
    if (!shards.length) throw new Error("no index");
    bundle = shards[0];
    return import(bundle.href + "pagefind.js").then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: root.pathname });
    }).then(function () {
      return Promise.all(shards.slice(1).map(function (shard) {
        return pagefind.mergeIndex(shard.href, { baseUrl: root.pathname });
      }));
    }).then(function () {
      // Load every filter before the UI starts (the UI uses this same module): left to
      // itself, Pagefind UI 1.5 sometimes draws its filter panel with a group missing.
      return pagefind.filters();
    });
  }).then(loadUi, function () { say(missing); });

  function loadUi() {
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = bundle.href + "pagefind-ui.css";
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.src = bundle.href + "pagefind-ui.js";
    script.onload = function () {
      if (typeof window.PagefindUI !== "function") {
        say("The search index could not be loaded.");
        return;
      }
      start();
    };
    script.onerror = function () { say(missing); };
    document.head.appendChild(script);
  }

  function start() {
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle.pathname,
      baseUrl: root.pathname,
      showSubResults: true,
      showImages: false,
      autofocus: !query
    });
    // Pagefind's box has no visible label of its own: lend it ours, then hide the plain form.
    var field = mount.querySelector("input.pagefind-ui__search-input");
    var label = form && form.querySelector("label");
    if (field && label) {
      field.id = "search-q-live";
      label.htmlFor = field.id;
      mount.parentNode.insertBefore(label, mount);
    }
    if (form) form.hidden = true;
    if (query) ui.triggerSearch(query);
  }
})();
