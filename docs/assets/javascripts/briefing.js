/* Briefing: the card of a citation. Pointing at a citation number (or focusing it, or tapping it
   on a touch screen) shows the quote and its source; on a touch screen a second tap, or the
   card's link, goes to the evidence. No library, nothing fetched: the text is in the page. */
(function () {
  "use strict";
  var card = null, owner = null, pointer = "mouse", tapped = null;

  function close() {
    if (card) { card.remove(); }
    card = null; owner = null; tapped = null;
  }

  function open(link) {
    if (owner === link) { return; }
    close();
    card = document.createElement("div");
    card.className = "bx-card md-typeset";
    card.setAttribute("role", "tooltip");
    card.id = "bx-card";
    var quote = document.createElement("p");
    quote.textContent = "\u201c" + link.getAttribute("data-bx-quote") + "\u201d";
    var source = document.createElement("p");
    source.className = "bx-card-source";
    source.textContent = link.getAttribute("data-bx-source") + " \u00b7 ";
    var go = document.createElement("a");
    go.href = link.href;
    go.textContent = "evidence " + link.textContent;
    source.appendChild(go);
    card.appendChild(quote);
    card.appendChild(source);
    document.body.appendChild(card);
    var box = link.getBoundingClientRect();
    var width = card.offsetWidth;
    var left = Math.max(8, Math.min(box.left + window.scrollX - width / 2,
                                    window.scrollX + document.documentElement.clientWidth - width - 8));
    card.style.left = left + "px";
    card.style.top = (box.bottom + window.scrollY + 6) + "px";
    link.setAttribute("aria-describedby", "bx-card");
    owner = link;
  }

  function citation(target) {
    return target && target.closest ? target.closest("sup.bx-ref a[data-bx-quote]") : null;
  }

  document.addEventListener("mouseover", function (event) {
    if (pointer === "touch") { return; }  /* a tap's emulated hover: the click decides */
    var link = citation(event.target);
    if (link) { open(link); }
    else if (card && !card.contains(event.target)) { close(); }
  });
  document.addEventListener("focusin", function (event) {
    var link = citation(event.target);
    if (link) { open(link); } else if (card && !card.contains(event.target)) { close(); }
  });
  document.addEventListener("pointerdown", function (event) {
    pointer = event.pointerType || "mouse";
  }, true);
  document.addEventListener("click", function (event) {
    var link = citation(event.target);
    var touch = pointer === "touch" || pointer === "pen";
    if (link && touch && tapped !== link) {  /* first tap: the card; second: the evidence */
      event.preventDefault();
      open(link);
      tapped = link;
    } else if (!link && card && !card.contains(event.target)) {
      close();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
})();

/* A link to an excerpt inside a closed block of evidence opens the block and brings the
   excerpt into view (Chromium does this by itself; this is for the others). */
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var opened = false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    if (opened) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();

/* "Copy citation": the quote, source, date and the paragraph's full address as plain text.
   The clipboard API where the page may use it (https, localhost), else a selected text area
   (file:// in the offline bundle). */
(function () {
  "use strict";
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    area.remove();
    return done;
  }
  function said(button, words) {
    var before = button.getAttribute("data-bx-label") || button.textContent;
    button.setAttribute("data-bx-label", before);
    button.textContent = words;
    setTimeout(function () { button.textContent = before; }, 2000);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.bx-copy") : null;
    if (!button) { return; }
    var address = new URL(button.getAttribute("data-bx-href"), location.href).href;
    var text = button.getAttribute("data-bx-copy") + " " + address;
    window.bxCopied = text;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { said(button, "Copied"); },
        function () { said(button, fallback(text) ? "Copied" : "Copy failed"); });
    } else {
      said(button, fallback(text) ? "Copied" : "Copy failed");
    }
  });
})();

/* A preview's banner stays in view above the header: the header moves down by the banner's
   height, which depends on the width (it wraps on a phone). */
(function () {
  "use strict";
  function place() {
    var banner = document.querySelector(".md-banner");
    if (banner && banner.querySelector(".bx-preview")) {
      document.body.style.setProperty("--bx-banner-height", banner.offsetHeight + "px");
    }
  }
  window.addEventListener("resize", place);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", place);
  } else {
    place();
  }
})();
