// After a refused form, move the focus to the summary of problems so that screen readers announce it
// and a phone shows it first. The summary's links lead to each field; the page works without this.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-problems");
  if (summary) {
    summary.focus();
  }
});
