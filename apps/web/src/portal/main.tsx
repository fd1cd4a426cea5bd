import { render } from 'preact';
import '../lib/style.css';
import { useRoute } from '../lib/hash-route.js';
import { CasePage } from './case-page.js';
import { Home } from './home.js';
import { Scoreboard } from './scoreboard.js';

function Portal() {
  const route = useRoute();
  const caseId = /^\/case\/([^/]+)$/.exec(route)?.[1];
  return (
    <>
      <a class="skip" href="#main">跳到正文</a>
      <header class="top">
        <h1>百姓问政</h1>
        <nav aria-label="主导航">
          <a href="#/">最新答复</a>
          <a href="#/units">单位排行</a>
        </nav>
      </header>
      <main id="main">
        {caseId ? <CasePage id={decodeURIComponent(caseId)} /> : route === '/units' ? <Scoreboard /> : <Home key={route} route={route} />}
      </main>
    </>
  );
}

render(<Portal />, document.getElementById('app')!);
