/* "Lägg till rad" for a Django formset, without saving: the button (data-formset-add) copies the
   formset's empty form from a <template>, numbers it (__prefix__ is the form's index, __number__ the
   row number people read) and raises TOTAL_FORMS. Never more rows than MAX_NUM_FORMS allows. */
(function () {
  "use strict";

  function setUp(button) {
    var prefix = button.getAttribute("data-formset-prefix");
    var template = document.getElementById(button.getAttribute("data-formset-template"));
    var body = document.getElementById(button.getAttribute("data-formset-body"));
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var max = document.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (!template || !body || !total) {
      return;
    }
    var limit = max ? parseInt(max.value, 10) : Infinity;

    function refresh() {
      button.disabled = parseInt(total.value, 10) >= limit;
    }

    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= limit) {
        return;
      }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      body.appendChild(row);
      total.value = String(index + 1);
      refresh();
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
      // A new row is a change not yet saved (static/js/unsaved.js listens for input).
      button.form && button.form.dispatchEvent(new Event("input", { bubbles: true }));
    });
    button.hidden = false;
    refresh();
  }

  document.querySelectorAll("[data-formset-add]").forEach(setUp);
})();
