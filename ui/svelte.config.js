// Svelte 5 compiles `<script lang="ts">` natively (type annotations only), so no preprocessor is needed.
/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {};
