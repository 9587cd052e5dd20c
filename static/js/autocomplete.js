// Multi-value autocomplete (bridges/widgets.py, templates/widgets/autocomplete.html).
//
// Tom Select turns the widget's native <select multiple> into a search box with the chosen values
// as removable chips: type, choose with the arrow keys and Enter, remove a chip with its button or
// the last one with Backspace. The options come from the same server view as the htmx search, and
// the form still posts the <select>'s values. Without this script (or without JavaScript) the
// widget stays the plain select with its search box.
(function () {
  "use strict";

  function optionsFrom(html) {
    const select = document.createElement("select");
    select.innerHTML = html;
    return Array.from(select.options)
      .filter((option) => option.value)
      .map((option) => ({ value: option.value, text: option.textContent }));
  }

  function enhance(select) {
    const box = select.closest(".autocomplete");
    if (select.tomselect || !box || typeof TomSelect === "undefined") return;
    const texts = box.dataset;
    const status = box.querySelector(".autocomplete-status");
    let tom = null;
    const say = (template, value) => {
      const option = tom && tom.options[value];
      if (status && option) status.textContent = template.replace("{name}", option.text);
    };
    tom = new TomSelect(select, {
      plugins: [],
      create: false,
      hideSelected: true,
      openOnFocus: false,
      maxOptions: null,
      loadThrottle: 250,
      placeholder: texts.placeholder,
      // The server searched all labels of a concept in every language: show what it found as is.
      score: () => () => 1,
      load(query, callback) {
        const params = new URLSearchParams({ autocomplete_q: query, field: select.name, multiple: "1" });
        fetch(`${texts.source}?${params}`, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
          .then((response) => (response.ok ? response.text() : ""))
          .then((html) => {
            this.clearOptions(); // the answer replaces the last one; chosen values stay
            callback(optionsFrom(html));
          })
          .catch(() => callback());
      },
      render: {
        item(data, escape) {
          const label = texts.remove.replace("{name}", data.text);
          return `<div>${escape(data.text)}<button type="button" class="remove" aria-label="${escape(label)}" title="${escape(label)}">×</button></div>`;
        },
        // Inside the listbox, a message is a disabled option (a listbox holds options only).
        no_results(data, escape) {
          return `<div class="no-results" role="option" aria-disabled="true">${escape(texts.noResults)}</div>`;
        },
      },
      onItemAdd(value) {
        say(texts.added, value);
      },
      onItemRemove(value) {
        say(texts.removed, value);
      },
    });
    // A chip's button removes its value; Enter and Space on the focused button do the same.
    tom.control.addEventListener(
      "click",
      (event) => {
        const button = event.target.closest("button.remove");
        if (!button) return;
        event.preventDefault();
        event.stopPropagation();
        const item = button.closest("[data-value]");
        const next = item.nextElementSibling && item.nextElementSibling.querySelector("button.remove");
        tom.removeItem(item.dataset.value);
        (next || tom.control_input).focus();
      },
      true
    );
    // After the last result was chosen, Tom Select may leave the combobox pointing at an option
    // that is gone.
    tom.hook("after", "refreshOptions", () => {
      const active = tom.control_input.getAttribute("aria-activedescendant");
      if (active && !document.getElementById(active)) tom.clearActiveOption();
    });
    const described = select.getAttribute("aria-describedby");
    if (described) tom.control_input.setAttribute("aria-describedby", described);
    // The select posts the values; assistive technology meets the combobox and the chips instead.
    select.setAttribute("aria-hidden", "true");
    box.classList.add("autocomplete-enhanced");
  }

  // A long list of fixed choices (a filter's languages or countries): type to narrow it down.
  // Without the script it is the plain select, whose options the browser finds by their first letters.
  function searchable(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    const tom = new TomSelect(select, {
      create: false,
      allowEmptyOption: true,
      maxOptions: null,
      render: {
        no_results(data, escape) {
          return `<div class="no-results" role="option" aria-disabled="true">${escape(select.dataset.noResults || "–")}</div>`;
        },
      },
    });
    tom.hook("after", "refreshOptions", () => {
      const active = tom.control_input.getAttribute("aria-activedescendant");
      if (active && !document.getElementById(active)) tom.clearActiveOption();
    });
    select.setAttribute("aria-hidden", "true");
  }

  // The search box's results replace the select's options: say how many arrived (WCAG 4.1.3), as
  // a sighted user sees the list change; the enhanced widget speaks through Tom Select instead.
  document.addEventListener("htmx:afterSwap", (event) => {
    const select = event.detail.target;
    const box = select && select.closest && select.closest(".autocomplete:not(.autocomplete-enhanced)");
    const status = box && box.querySelector(".autocomplete-status");
    if (!status || select.tagName !== "SELECT") return;
    const found = Array.from(select.options).filter((option) => option.value && !option.selected).length;
    status.textContent = found ? box.dataset.found.replace("{count}", found) : box.dataset.noResults || "";
  });

  htmx.onLoad((root) => {
    const scope = root.querySelectorAll ? root : document;
    scope.querySelectorAll(".autocomplete[data-multiple] select[multiple]").forEach(enhance);
    scope.querySelectorAll("select[data-searchable]").forEach(searchable);
  });
})();
