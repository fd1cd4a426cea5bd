import { useState } from 'preact/hooks';
import { ApiError, call, ROUTER } from '../lib/api.js';
import { sessionFromToken, type Session } from './session.js';

interface LoginAnswer {
  token: string;
}

export function Login({ onLogin }: { onLogin(s: Session): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [useToken, setUseToken] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const accept = (t: string) => {
    const s = sessionFromToken(t.trim());
    if (!s) throw new ApiError(400, '令牌无效或已过期');
    onLogin(s);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      if (useToken) accept(token);
      else accept((await call<LoginAnswer>(`${ROUTER}/auth/login`, { method: 'POST', body: { username, password } })).token);
    } catch (err) {
      if (err instanceof ApiError && err.routeMissing && !useToken) {
        setUseToken(true);
        setError('路由服务尚未提供账号登录接口（/auth/login），请使用令牌登录。');
      } else setError(err instanceof ApiError && err.status === 401 ? '用户名或密码错误' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" style="max-width:26rem">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h2 id="login-title" style="margin-top:0">工作人员登录</h2>
        {!useToken ? (
          <>
            <label for="username">用户名</label>
            <input id="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
            <label for="password" style="margin-top:.6rem">密码</label>
            <input id="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </>
        ) : (
          <>
            <label for="token">访问令牌（JWT）</label>
            <textarea id="token" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row" style="margin-top:.8rem">
          <button class="primary" type="submit" disabled={busy}>
            登录
          </button>
          <button type="button" class="link" onClick={() => setUseToken(!useToken)}>
            {useToken ? '改用用户名和密码' : '使用令牌登录'}
          </button>
        </div>
      </form>
    </main>
  );
}
