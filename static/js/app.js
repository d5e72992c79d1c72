// The site's behaviour, with no inline handler anywhere (CSP: script-src 'self').
//
// Every form: ask first where it says so (data-confirm, before an irreversible step), then show
// that it is working (a spinner and 处理中… on the button pressed, every submit button disabled)
// and let a second click or Enter submit nothing until the page is replaced. The server refuses
// what matters twice as well (a payment's reference, a decided approval, one pending request
// per case); this spares the user the message, and the wait without a sign of life.
//
// Forms and links that open a file instead of a page (data-download, download, target=_blank,
// and every GET form, which may be an export) come back to life after a few seconds.
(function () {
  "use strict";

  var BUSY_TEXT = "处理中…";
  var RELEASE_AFTER_MS = 4000;
  var SPINNER = '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>';

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return (
        (element.tagName === "BUTTON" && element.type === "submit") ||
        (element.tagName === "INPUT" && (element.type === "submit" || element.type === "image"))
      );
    });
  }

  function showBusy(button, withText) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    if (!withText || "busyHtml" in button.dataset || "busyValue" in button.dataset) {
      return;
    }
    if (button.tagName === "BUTTON") {
      button.dataset.busyHtml = button.innerHTML;
      button.innerHTML = SPINNER + '<span role="status">' + BUSY_TEXT + "</span>";
    } else if (button.type === "submit") {
      button.dataset.busyValue = button.value;
      button.value = BUSY_TEXT;
    }
  }

  function release(form) {
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
    submitButtons(form).forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      if ("busyHtml" in button.dataset) {
        button.innerHTML = button.dataset.busyHtml;
        delete button.dataset.busyHtml;
      }
      if ("busyValue" in button.dataset) {
        button.value = button.dataset.busyValue;
        delete button.dataset.busyValue;
      }
    });
  }

  function busy(form, submitter) {
    form.dataset.submitting = "1";
    form.setAttribute("aria-busy", "true");
    // After this tick: a button disabled now would drop its own name and value from the post.
    window.setTimeout(function () {
      var buttons = submitButtons(form);
      var shown = submitter && buttons.indexOf(submitter) >= 0 ? submitter : buttons[0];
      buttons.forEach(function (button) {
        showBusy(button, button === shown);
      });
    }, 0);
  }

  function attribute(submitter, form, name) {
    return (submitter && submitter.getAttribute("form" + name)) || form.getAttribute(name) || "";
  }

  // A required box that holds only spaces is as empty as an empty one (a reject's reason).
  function blankRequired(form, submitter) {
    if (form.noValidate || (submitter && submitter.formNoValidate)) {
      return null;
    }
    return Array.prototype.find.call(form.elements, function (field) {
      return field.required && field.dataset.requiredMessage && !field.value.trim();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return; // handled elsewhere: htmx sends it (see htmx:beforeRequest below)
    }
    var blank = blankRequired(form, submitter);
    if (blank) {
      event.preventDefault();
      blank.setCustomValidity(blank.dataset.requiredMessage);
      blank.reportValidity();
      return;
    }
    var text = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
      return;
    }
    busy(form, submitter);
    var method = attribute(submitter, form, "method").toLowerCase() || "get";
    var opensFile =
      method !== "post" ||
      form.hasAttribute("data-download") ||
      (submitter && submitter.hasAttribute("data-download")) ||
      attribute(submitter, form, "target") === "_blank";
    if (opensFile) {
      window.setTimeout(function () {
        release(form);
      }, RELEASE_AFTER_MS);
    }
  });

  // Links that produce a file (an export): busy for a few seconds, one click at a time.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[download], a[data-download]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (link.dataset.submitting) {
      event.preventDefault();
      return;
    }
    link.dataset.submitting = "1";
    link.classList.add("disabled");
    link.setAttribute("aria-disabled", "true");
    link.dataset.busyHtml = link.innerHTML;
    link.innerHTML = SPINNER + '<span role="status">' + BUSY_TEXT + "</span>";
    window.setTimeout(function () {
      delete link.dataset.submitting;
      link.classList.remove("disabled");
      link.removeAttribute("aria-disabled");
      link.innerHTML = link.dataset.busyHtml;
      delete link.dataset.busyHtml;
    }, RELEASE_AFTER_MS);
  });

  // htmx requests: a form (or a button of one) is busy until its answer is in.
  function htmxForm(element) {
    if (!element || !element.tagName) {
      return null;
    }
    if (element.tagName === "FORM") {
      return element;
    }
    return element.tagName === "BUTTON" || element.tagName === "INPUT" ? element : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = htmxForm(event.detail.elt);
    if (!element) {
      return; // a poll of a status box, a lazy load
    }
    if (element.tagName === "FORM") {
      var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
      if (element.dataset.submitting) {
        event.preventDefault();
        return;
      }
      element.dataset.submitting = "1";
      element.setAttribute("aria-busy", "true");
      var buttons = submitButtons(element);
      var submitter = trigger && trigger.submitter;
      buttons.forEach(function (button) {
        showBusy(button, button === (submitter || buttons[0]));
      });
    } else if (element.disabled) {
      event.preventDefault();
    } else {
      element.disabled = true;
      element.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = htmxForm(event.detail.elt);
    if (!element || !element.isConnected) {
      return;
    }
    if (element.tagName === "FORM") {
      release(element);
    } else {
      element.disabled = false;
      element.removeAttribute("aria-busy");
    }
  });

  // The page may come back from the browser's cache after "back": let its forms be used again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(release);
  });

  // A required box says what it wants in Chinese, whatever the browser's language.
  document.addEventListener(
    "invalid",
    function (event) {
      var field = event.target;
      if (field.dataset && field.dataset.requiredMessage && field.validity.valueMissing) {
        field.setCustomValidity(field.dataset.requiredMessage);
      }
    },
    true
  );
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.dataset && field.dataset.requiredMessage) {
      field.setCustomValidity("");
    }
  });

  // A "select all" box ticks every box of its list (data-check-all="<name of the boxes>").
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.dataset || !box.dataset.checkAll) {
      return;
    }
    document.querySelectorAll('input[name="' + box.dataset.checkAll + '"]').forEach(function (b) {
      b.checked = box.checked;
    });
  });

  // Progress bars carry their percentage as data: the Content-Security-Policy allows no style
  // attribute in the HTML, but a width set from script is allowed. Again after each htmx swap.
  function drawProgress(root) {
    root.querySelectorAll("[data-percent]").forEach(function (bar) {
      var percent = Math.max(0, Math.min(100, parseFloat(bar.dataset.percent) || 0));
      bar.style.width = percent + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    drawProgress(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    drawProgress(event.target.parentNode || document);
  });
})();
