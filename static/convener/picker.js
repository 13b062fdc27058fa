/* The person picker: the server's matches as you type (GOV.UK's accessible-autocomplete,
   vendored), each with institution and current role. The text box works without this. */
(function () {
  "use strict";
  if (!window.accessibleAutocomplete) return;
  // the admin loads this in <head>: wait for the form
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
  function enhance() {
  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-person-picker]"), function (wrap) {
    var input = wrap.querySelector("input[type=text]");
    var hidden = wrap.querySelector("[data-person-id]");
    var url = wrap.dataset.searchUrl;
    var confirmed = hidden.value ? input.value : null;
    var timer = null;
    var container = document.createElement("div");
    wrap.insertBefore(container, input);
    var id = input.id, name = input.name, value = input.value;
    var invalid = input.getAttribute("aria-invalid");
    // the widget describes its box with its own hint: the field's help and error go into it
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/)
      .map(function (ref) { var el = ref && document.getElementById(ref); return el ? el.textContent.trim() : ""; })
      .filter(Boolean).join(" ");
    input.remove();
    window.accessibleAutocomplete({
      element: container,
      id: id,
      name: name,
      defaultValue: value,
      minLength: 2,
      autoselect: true,
      confirmOnBlur: true,
      showNoOptionsFound: true,
      source: function (query, populate) {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var sep = url.indexOf("?") >= 0 ? "&" : "?";
          fetch(url + sep + "q=" + encodeURIComponent(query), {
            credentials: "same-origin",
            headers: { Accept: "application/json" }
          }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) { populate(data.results); })
            .catch(function () { populate([]); });
        }, 120);
      },
      templates: {
        inputValue: function (r) { return r ? r.name : ""; },
        suggestion: function (r) {
          if (typeof r === "string") return esc(r);
          return esc(r.name) + (r.detail ? ' <span class="picker-detail">' + esc(r.detail) + "</span>" : "");
        }
      },
      onConfirm: function (r) {
        if (r) { hidden.value = r.id; confirmed = r.name; }
      },
      tNoResults: function () { return "Nobody found: check the spelling, or type the ORCID iD"; },
      tStatusQueryTooShort: function (n) { return "Type " + n + " or more letters to search"; },
      tStatusNoResults: function () { return "Nobody found"; },
      tAssistiveHint: function () {
        return (described ? described + " " : "") +
          "When people are found, use up and down arrows to go through them and Enter to choose.";
      }
    });
    var box = document.getElementById(id);
    if (invalid) box.setAttribute("aria-invalid", invalid);
    box.addEventListener("input", function () {
      if (box.value !== confirmed) hidden.value = "";
    });
  });
  }
})();
