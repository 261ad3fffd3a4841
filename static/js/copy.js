// "Copy" buttons for read-only values such as invitation links. The buttons are hidden until this
// script shows them, so a browser without JavaScript never sees a button that does nothing.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy-target]")) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      target.select();
      try {
        await navigator.clipboard.writeText(target.value);
      } catch {
        document.execCommand("copy");  // older phones and plain-http pages
      }
      button.textContent = button.dataset.copiedLabel;
    });
  }
});
