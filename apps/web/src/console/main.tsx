import { render } from 'preact';
import { useState } from 'preact/hooks';
import '../lib/style.css';
import { useRoute } from '../lib/hash-route.js';
import { Clerk } from './clerk.js';
import { Decisions } from './decisions.js';
import { Desk } from './desk.js';
import { Login } from './login.js';
import { Moderation } from './moderation.js';
import { loadSession, ROLE_NAMES, saveSession, SessionContext, type Session } from './session.js';
import { Supervision } from './supervision.js';

function Screen({ session, route }: { session: Session; route: string }) {
  const id = (prefix: string) => {
    const m = new RegExp(`^/${prefix}/([^/]+)$`).exec(route);
    return m ? decodeURIComponent(m[1]!) : undefined;
  };
  switch (session.role) {
    case 'unit':
      return <Clerk caseId={id('clerk')} />;
    case 'supervisor':
      return <Supervision />;
    case 'desk':
    case 'admin':
      if (route === '/moderation') return <Moderation />;
      if (route === '/decisions') return <Decisions />;
      if (route === '/supervision' && session.role === 'admin') return <Supervision />;
      return <Desk caseId={id('case')} />;
  }
}

function Console() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const route = useRoute();
  const login = (s: Session | null) => {
    saveSession(s);
    setSession(s);
    location.hash = s?.role === 'unit' ? '#/clerk' : '#/';
  };
  return (
    <>
      <a class="skip" href="#main">跳到正文</a>
      <header class="top">
        <h1>问政工作台</h1>
        {session && (
          <>
            <nav aria-label="主导航">
              {(session.role === 'desk' || session.role === 'admin') && (
                <>
                  <a href="#/">待分派队列</a>
                  <a href="#/decisions">待决事项</a>
                  <a href="#/moderation">照片审核</a>
                </>
              )}
              {session.role === 'admin' && <a href="#/supervision">督办统计</a>}
              {session.role === 'unit' && <a href="#/clerk">本单位诉求</a>}
              {session.role === 'supervisor' && <a href="#/">督办统计</a>}
            </nav>
            <span style="margin-left:auto">
              {session.sub}（{ROLE_NAMES[session.role]}）{' '}
              <button type="button" class="link" onClick={() => login(null)}>
                退出
              </button>
            </span>
          </>
        )}
      </header>
      {session ? (
        <SessionContext.Provider value={session}>
          <main id="main">
            <Screen session={session} route={route} />
          </main>
        </SessionContext.Provider>
      ) : (
        <Login onLogin={login} />
      )}
    </>
  );
}

render(<Console />, document.getElementById('app')!);
