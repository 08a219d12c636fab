// TypeDoc plugin for consulate's facade. `Consul`'s groups declare their members as
// `get: Bound<typeof get>` (the endpoint function with its `client` bound); TypeDoc would show them
// with no description. This copies the bound function's documentation onto each such member that has
// none of its own, prefixed with a link to the function: "{@link get} with the client bound: …".
// `@example` and `@param` are left out (they show the unbound call `get(client, …)`).
// A member whose function is itself undocumented stays undocumented, so validation still reports it.
import ts from 'typescript';
import { Comment, Converter, ReflectionKind } from 'typedoc';

const SKIPPED_TAGS = new Set(['@example', '@param', '@typeParam']);

/** The function `typeof fn` names in a `Bound<typeof fn>` property declaration, as a TS symbol. */
function boundFunction(checker, declaration) {
  const type = declaration && ts.isPropertySignature(declaration) ? declaration.type : undefined;
  if (!type || !ts.isTypeReferenceNode(type) || type.typeName.getText() !== 'Bound') return undefined;
  const query = type.typeArguments?.[0];
  if (!query || !ts.isTypeQueryNode(query)) return undefined;
  const symbol = checker.getSymbolAtLocation(query.exprName);
  if (!symbol) return undefined;
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** Undocumented `Bound<typeof fn>` members → fn's symbol id (the checker is only usable while converting). */
  const bound = new Map();
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, member) => {
    if (member.kind !== ReflectionKind.Property || member.comment) return;
    const symbol = boundFunction(context.checker, context.getSymbolFromReflection(member)?.declarations?.[0]);
    if (symbol) bound.set(member, context.createSymbolId(symbol));
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const [member, symbolId] of bound) {
      if (member.comment) continue;
      const target = context.project.getReflectionFromSymbolId(symbolId);
      const source = target?.signatures?.[0]?.comment ?? target?.comment;
      if (!source || source.summary.length === 0) continue;
      const link = { kind: 'inline-tag', tag: '@link', text: target.name, target };
      const summary = [link, { kind: 'text', text: ' with the client bound: ' }, ...Comment.cloneDisplayParts(source.summary)];
      const tags = source.blockTags.filter((tag) => !SKIPPED_TAGS.has(tag.tag)).map((tag) => tag.clone());
      member.comment = new Comment(summary, tags);
    }
  });
}
