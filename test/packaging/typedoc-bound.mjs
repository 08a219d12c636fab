// TypeDoc plugin for consulate's facade. The facade is generated from each group's description
// (`kvFacade = { get: get as typeof get, getJSON: getJSON as Generic<…>, … }`, core/bind.ts), and
// `Consul`'s members are those entries bound; TypeDoc would show them with no description. This copies
// the function's documentation onto each such member that has none of its own, prefixed with a link to
// the function: "{@link get} with the client bound: …" (for an `unbound(fn)` helper: "{@link fn}: …").
// It also understands the older `get: Bound<typeof get>` property signatures.
// `@example` and `@param` are left out (they show the unbound call `get(client, …)`).
// A member whose function is itself undocumented stays undocumented, so validation still reports it.
import ts from 'typescript';
import { Comment, Converter, ReflectionKind } from 'typedoc';

const SKIPPED_TAGS = new Set(['@example', '@param', '@typeParam']);

function resolved(checker, node) {
  const symbol = checker.getSymbolAtLocation(node);
  if (!symbol) return undefined;
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * The function a facade member stands for, as `{ symbol, bound }`: `get: Bound<typeof get>` and a
 * description's `get: get as typeof get` (bound), or `rtt: unbound(rtt) as …` (not bound).
 */
function facadeFunction(checker, declaration) {
  if (declaration && ts.isPropertySignature(declaration)) {
    const type = declaration.type;
    if (!type || !ts.isTypeReferenceNode(type) || type.typeName.getText() !== 'Bound') return undefined;
    const query = type.typeArguments?.[0];
    if (!query || !ts.isTypeQueryNode(query)) return undefined;
    const symbol = resolved(checker, query.exprName);
    return symbol && { symbol, bound: true };
  }
  if (declaration && ts.isPropertyAssignment(declaration)) {
    let value = declaration.initializer;
    while (ts.isAsExpression(value) || ts.isParenthesizedExpression(value) || ts.isSatisfiesExpression(value)) value = value.expression;
    let bound = true;
    if (ts.isCallExpression(value) && value.expression.getText() === 'unbound' && value.arguments.length === 1) {
      value = value.arguments[0];
      bound = false;
    }
    if (!ts.isIdentifier(value)) return undefined;
    const symbol = resolved(checker, value);
    return symbol && symbol.flags & ts.SymbolFlags.Function ? { symbol, bound } : undefined;
  }
  return undefined;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** Undocumented facade members → their function's symbol id and whether it is bound (the checker is only usable while converting). */
  const members = new Map();
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, member) => {
    if (member.kind !== ReflectionKind.Property || member.comment) return;
    const found = facadeFunction(context.checker, context.getSymbolFromReflection(member)?.declarations?.[0]);
    if (found) members.set(member, { symbolId: context.createSymbolId(found.symbol), bound: found.bound });
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const [member, { symbolId, bound }] of members) {
      if (member.comment) continue;
      // the function itself, not a `typeof fn` type registered under the same symbol (which comes first when
      // the function is declared in another file than the description, as for a group split by sub-area)
      const candidates = context.project.getReflectionsFromSymbolId(symbolId);
      const target = candidates.find((reflection) => reflection.kindOf(ReflectionKind.Function)) ?? candidates[0];
      const source = target?.signatures?.[0]?.comment ?? target?.comment;
      if (!source || source.summary.length === 0) continue;
      const link = { kind: 'inline-tag', tag: '@link', text: target.name, target };
      const summary = [link, { kind: 'text', text: bound ? ' with the client bound: ' : ': ' }, ...Comment.cloneDisplayParts(source.summary)];
      const tags = source.blockTags.filter((tag) => !SKIPPED_TAGS.has(tag.tag)).map((tag) => tag.clone());
      member.comment = new Comment(summary, tags);
    }
  });
}
