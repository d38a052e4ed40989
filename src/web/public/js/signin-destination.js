// Where a person lands after signing in: the page of their role (or the page they asked for).
export function destination(me) {
  const next = new URLSearchParams(location.search).get('next')
  if (next && /^[a-z]+\.html(\?[^#]*)?$/.test(next) && next !== 'index.html') return next
  if (me.role === 'administration') return 'assessments.html'
  return me.role === 'admin' ? 'people.html' : 'dashboard.html'
}
