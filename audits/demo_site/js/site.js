// Hides the cookie banner once a choice is made, and remembers the choice for a year.
(function () {
  "use strict";
  var banner = document.getElementById("cookie-banner");
  if (!banner) {
    return;
  }
  if (document.cookie.indexOf("cookie_choice=") !== -1) {
    banner.hidden = true;
    return;
  }
  banner.addEventListener("click", function (event) {
    var choice = event.target.getAttribute("data-cookies");
    if (!choice) {
      return;
    }
    document.cookie = "cookie_choice=" + choice + "; max-age=31536000; path=/; SameSite=Lax";
    banner.hidden = true;
  });
})();
