// Starts the app (a file of its own: the Content-Security-Policy allows no inline script).
import init from '/pkg/concord_frontend.js';
init({ module_or_path: '/pkg/concord_frontend_bg.wasm' });
