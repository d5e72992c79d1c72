// Every posted form: ask first where it says so (data-confirm, before an irreversible step),
// then show that it is working and let a second click post nothing (the server refuses a
// duplicate too; this spares the user the message and a second question).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const posting = (form.method || "").toLowerCase() === "post";
  if (posting && form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  const text = event.submitter && event.submitter.dataset.confirm || form.dataset.confirm;
  if (text && !window.confirm(text)) {
    event.preventDefault();
    return;
  }
  if (!posting) {
    return;
  }
  form.dataset.submitting = "1";
  // After this tick: a button disabled now would drop its own name and value from the post.
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
      button.disabled = true;
      if (button === event.submitter && button.tagName === "BUTTON") {
        button.insertAdjacentHTML("afterbegin", '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>');
      }
    });
  }, 0);
});

// The page may come back from the browser's cache after "back": let its forms be used again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitting]").forEach(function (form) {
    delete form.dataset.submitting;
    form.querySelectorAll("button[disabled], input[type=submit][disabled]").forEach(function (button) {
      button.disabled = false;
      const spinner = button.querySelector(".spinner-border");
      if (spinner) spinner.remove();
    });
  });
});
