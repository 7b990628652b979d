/** The current path, kept in sync with the history; enough routing for two pages. */
class Router {
  path = $state(location.pathname);

  constructor() {
    addEventListener('popstate', () => (this.path = location.pathname));
  }

  navigate(path: string, { replace = false } = {}): void {
    if (path === location.pathname) return;
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
    this.path = path;
  }
}

export const router = new Router();
