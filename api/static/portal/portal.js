// Partner portal: small enhancements only. Everything works without JavaScript.
(function () {
  "use strict";

  function ready() {
    // A print button appears only where it can work.
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });

    // Switching language on the form keeps what was typed: post the answers to the
    // edit page instead of following the plain link (which still works without JS).
    document.querySelectorAll("a[data-carry-form]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var form = document.getElementById(link.getAttribute("data-carry-form"));
        if (!form) {
          return;
        }
        event.preventDefault();
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "switch_lang";
        input.value = link.getAttribute("data-lang");
        form.appendChild(input);
        form.setAttribute("action", link.getAttribute("data-carry-action"));
        HTMLFormElement.prototype.submit.call(form);
      });
    });

    // After a refused submission, move focus to the list of problems so keyboard and
    // screen-reader users start there; its links lead to each field.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
