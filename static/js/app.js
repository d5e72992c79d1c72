// Ask before irreversible steps: any form or button with data-confirm shows the text first.
document.addEventListener("submit", function (event) {
  const text = event.submitter && event.submitter.dataset.confirm || event.target.dataset.confirm;
  if (text && !window.confirm(text)) {
    event.preventDefault();
  }
});
