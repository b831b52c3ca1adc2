import './api/zod-jitless.js';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { useUiStore } from './stores/ui.js';
import './styles/base.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
// A bug in a view becomes a message, never a blank screen.
app.config.errorHandler = (error, _instance, info) => {
  console.warn(`NN Lab view error (${info}):`, error);
  useUiStore(pinia).fail('Something in this view failed', error);
};
window.addEventListener('unhandledrejection', (event) => {
  useUiStore(pinia).fail('An action failed', event.reason);
  event.preventDefault();
});
app.mount('#app');
