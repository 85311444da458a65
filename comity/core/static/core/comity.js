/* Comity: small enhancements on every page. Each page works without this file. */
(function () {
  "use strict";
  /* Translated words come with the script tag (data-filter-*). */
  var words = (document.currentScript && document.currentScript.dataset) || {};

  /* A form that came back with errors: focus the first field in error (or the form's own errors). */
  function focusFirstError() {
    /* The first in the page: a field marked invalid, or the first control of a group in error (radio buttons). */
    var field = document.querySelector(
      'main [aria-invalid="true"], main .field-error input:not([type="hidden"]), main .field-error select, main .field-error textarea'
    );
    var target = field || document.querySelector("main .form-errors");
    if (!target) return;
    if (!field) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  /* Screen readers announce a live region when it changes, not when the page arrives with it filled: the
     messages ("Saved", "Reply posted") are repeated, a moment after load, in a hidden live region, so that they are
     read out; the visible messages stay as they are. */
  function announceMessages() {
    var region = document.getElementById("messages");
    if (!region || !region.textContent.trim()) return;
    var announcer = document.createElement("div");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    announcer.id = "messages-announcer";
    document.body.appendChild(announcer);
    window.setTimeout(function () {
      announcer.textContent = region.textContent.replace(/\s+/g, " ").trim();
    }, 500);
  }

  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* A long multiple choice (the countries): a filter box above the native list. The list itself stays the
     browser's own, so the keyboard works as always (arrows, Shift/Ctrl with Space to add to the choice). */
  function enhanceMultiSelect(select, index) {
    if (select.dataset.filterReady) return;
    select.dataset.filterReady = "1";
    var options = Array.prototype.slice.call(select.options);
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-filter";
    input.id = (select.id || "select-" + index) + "-filter";
    input.setAttribute("aria-controls", select.id);
    input.setAttribute("autocomplete", "off");
    var label = document.querySelector('label[for="' + select.id + '"]');
    var labelText = label ? label.textContent.replace("*", "").trim() : "";
    input.setAttribute("aria-label", (words.filterLabel || "Filter") + (labelText ? ": " + labelText : ""));
    input.placeholder = words.filterPlaceholder || "Type to filter";
    var count = document.createElement("p");
    count.className = "select-filter-count";
    count.setAttribute("aria-live", "polite");
    count.id = input.id + "-count";
    input.setAttribute("aria-describedby", count.id);
    var countTemplate = words.filterCount || "{shown} of {total} shown, {selected} chosen";
    function update() {
      var needle = fold(input.value.trim());
      var shown = 0;
      var selected = 0;
      options.forEach(function (option) {
        var match = !needle || fold(option.textContent).indexOf(needle) !== -1 || option.selected;
        option.hidden = !match;
        if (match) shown += 1;
        if (option.selected) selected += 1;
      });
      count.textContent = countTemplate.replace("{shown}", shown).replace("{total}", options.length).replace("{selected}", selected);
    }
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
    });
    select.addEventListener("change", update);
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(count, select);
    update();
  }

  function enhanceMultiSelects(root) {
    var selects = (root || document).querySelectorAll("select[multiple]");
    Array.prototype.forEach.call(selects, function (select, index) {
      if (select.options.length >= 12 || select.hasAttribute("data-searchable")) enhanceMultiSelect(select, index);
    });
  }

  /* A "Reply" link (href="#reply") lands in the text box of the reply form, not just near it. */
  function focusReplyBox() {
    if (window.location.hash !== "#reply") return;
    var box = document.querySelector("#reply textarea");
    if (box) box.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusReplyBox();
    enhanceMultiSelects(document);
    focusFirstError();
    announceMessages();
  });
  window.addEventListener("hashchange", focusReplyBox);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href="#reply"]');
    if (link) window.setTimeout(focusReplyBox, 0);
  });
  document.addEventListener("htmx:afterSwap", function (event) { enhanceMultiSelects(event.target); });
})();
