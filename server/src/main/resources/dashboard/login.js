// The login page's one dynamic part: say so when the previous attempt was refused.
if (new URLSearchParams(location.search).has('failed')) {
  document.getElementById('failed').hidden = false;
}
