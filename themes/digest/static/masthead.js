// The masthead's search button (small screens): shows and hides the search box, which the
// stylesheet hides there while scripting is on. The button says whether the box is shown
// (aria-expanded); opening it moves the focus into the box, Escape closes it and gives the
// focus back to the button.
const button = document.querySelector(".search-toggle");
const form = document.getElementById("masthead-search");
if (button && form) {
  const input = form.querySelector("input");
  const show = (open) => {
    button.setAttribute("aria-expanded", String(open));
    form.classList.toggle("open", open);
  };
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    show(open);
    if (open && input) input.focus();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
}
