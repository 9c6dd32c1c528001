// Remember the reader's time zone in a cookie so the server can show local times.
// The only script of the UI: everything works without it (times are then in UTC).
// A zone already remembered (e.g. chosen with ?tz=Asia/Almaty) is left alone.
(function () {
  "use strict";
  if (/(?:^|;\s*)tz=/.test(document.cookie)) {
    return;
  }
  var tz;
  try {
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!tz || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(tz)) {
    return;
  }
  document.cookie = "tz=" + tz + "; path=/; max-age=31536000; SameSite=Lax";
  var stored = /(?:^|;\s*)tz=/.test(document.cookie); // false when cookies are refused
  // First visit: the page was rendered in UTC; render it once more in the local zone.
  if (stored && document.documentElement.getAttribute("data-tz") !== tz) {
    window.location.reload();
  }
})();
