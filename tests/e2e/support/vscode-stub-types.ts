// Keeps the `vscode` stub (vscode-stub.mjs) from drifting away from the real API: type-checked
// against @types/vscode at engines.vscode's minimum (tsconfig.vscode-stub.json, run by
// tests/e2e/vscode-extension.test.mjs). Every name the stub offers must exist in the API with
// a compatible type where the stub's shape allows a check; enum values must be VS Code's.
import type * as vscode from 'vscode';

import { createVscodeStub } from './vscode-stub.mjs';

const stub = createVscodeStub();
type Stub = typeof stub.vscode;

/** `true` only when T has no key U lacks (a renamed or removed API name fails the build). */
type NoExtraKeys<T, U> = [Exclude<keyof T, keyof U>] extends [never] ? true : Exclude<keyof T, keyof U>;

export const namespaces: [
  NoExtraKeys<Stub, typeof vscode>,
  NoExtraKeys<Stub['window'], typeof vscode.window>,
  NoExtraKeys<Stub['workspace'], typeof vscode.workspace>,
  NoExtraKeys<Stub['commands'], typeof vscode.commands>,
  NoExtraKeys<Stub['env'], typeof vscode.env>,
  NoExtraKeys<Stub['authentication'], typeof vscode.authentication>,
  NoExtraKeys<Stub['env']['clipboard'], vscode.Clipboard>,
  NoExtraKeys<Stub['ViewColumn'], typeof vscode.ViewColumn>,
  NoExtraKeys<Stub['ProgressLocation'], typeof vscode.ProgressLocation>,
  NoExtraKeys<ReturnType<Stub['window']['createInputBox']>, vscode.InputBox & InternalInput>,
  NoExtraKeys<ReturnType<Stub['window']['createQuickPick']>, vscode.QuickPick<vscode.QuickPickItem> & InternalInput>,
] = [true, true, true, true, true, true, true, true, true, true, true];

/** The stub's own handles for firing events (not VS Code's API, so allowed as extra keys). */
interface InternalInput {
  accepted: unknown;
  changed: unknown;
  trigger: unknown;
}

// The enums' values are VS Code's.
export const viewColumn: {
  Active: vscode.ViewColumn.Active;
  Beside: vscode.ViewColumn.Beside;
  One: vscode.ViewColumn.One;
  Two: vscode.ViewColumn.Two;
  Three: vscode.ViewColumn.Three;
} = stub.vscode.ViewColumn;
export const progressLocation: {
  SourceControl: vscode.ProgressLocation.SourceControl;
  Window: vscode.ProgressLocation.Window;
  Notification: vscode.ProgressLocation.Notification;
} = stub.vscode.ProgressLocation;

// What the extension reads from its context has the API's types.
export const context: Pick<vscode.ExtensionContext, 'secrets' | 'workspaceState' | 'globalState'> = stub.context;
// The sign-in answers what the extension reads from VS Code's session.
export const getSession: (
  providerId: string,
  scopes: readonly string[],
  options: vscode.AuthenticationGetSessionOptions & { createIfNone: true },
) => Thenable<vscode.AuthenticationSession | undefined> = stub.vscode.authentication.getSession;
export const uri: Pick<vscode.Uri, 'scheme' | 'authority' | 'path' | 'query' | 'fragment' | 'fsPath'> = stub.vscode.Uri.file('/x');
