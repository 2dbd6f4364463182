/**
 * The commands' questions as one multi-step input: each box shows "step/total" and, from the
 * second on, a Back button; Escape ends the command quietly. Built on createInputBox and
 * createQuickPick (showInputBox/showQuickPick have neither step nor Back).
 */
import * as vscode from 'vscode';

export type Outcome = 'next' | 'back' | 'cancel';

export interface StepPosition {
  step: number;
  totalSteps: number;
  canGoBack: boolean;
}

/**
 * One question of the flow; `skip()` leaves it out (and out of the count), `run()` asks it and
 * stores the answer in the flow's own state.
 */
export interface Step {
  skip?: () => boolean;
  run: (at: StepPosition) => Promise<Outcome>;
}

/** Asks the steps in order, Back returning to the one asked before; false when cancelled. */
export async function runSteps(steps: readonly Step[]): Promise<boolean> {
  const asked: number[] = [];
  let i = 0;
  while (i < steps.length) {
    const active = steps.filter((s) => !s.skip?.());
    const current = steps[i];
    if (!current) break;
    if (current.skip?.()) {
      i += 1;
      continue;
    }
    const outcome = await current.run({ step: active.indexOf(current) + 1, totalSteps: active.length, canGoBack: asked.length > 0 });
    if (outcome === 'cancel') return false;
    if (outcome === 'back') {
      i = asked.pop() ?? 0;
      continue;
    }
    asked.push(i);
    i += 1;
  }
  return true;
}

/** What `inputStep` and `pickStep` resolve to: the answer, or where the user went instead. */
export type Answer<T> = { value: T } | { outcome: 'back' | 'cancel' };

export interface InputStepOptions {
  title: string;
  prompt: string;
  placeHolder?: string;
  value?: string;
  password?: boolean;
  validate?: (value: string) => string | undefined;
}

export function inputStep(at: StepPosition, options: InputStepOptions): Promise<Answer<string>> {
  const box = vscode.window.createInputBox();
  box.title = options.title;
  box.step = at.step;
  box.totalSteps = at.totalSteps;
  box.prompt = options.prompt;
  box.placeholder = options.placeHolder;
  box.value = options.value ?? '';
  box.password = options.password === true;
  box.ignoreFocusOut = true;
  box.buttons = at.canGoBack ? [vscode.QuickInputButtons.Back] : [];
  const validate = options.validate;
  return new Promise<Answer<string>>((resolve) => {
    let done = false;
    const finish = (answer: Answer<string>) => {
      if (done) return;
      done = true;
      for (const d of disposables) d.dispose();
      box.dispose();
      resolve(answer);
    };
    const check = (value: string) => {
      box.validationMessage = validate?.(value);
      return box.validationMessage === undefined;
    };
    const disposables = [
      box.onDidChangeValue((value) => check(value)),
      box.onDidAccept(() => {
        if (check(box.value)) finish({ value: box.value });
      }),
      box.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) finish({ outcome: 'back' });
      }),
      box.onDidHide(() => finish({ outcome: 'cancel' })),
    ];
    box.show();
  });
}

export interface PickStepOptions<T extends vscode.QuickPickItem> {
  title: string;
  placeHolder: string;
  items: readonly T[];
  /** The item to start on (a remembered answer). */
  active?: T;
}

export function pickStep<T extends vscode.QuickPickItem>(at: StepPosition, options: PickStepOptions<T>): Promise<Answer<T>> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = options.title;
  pick.step = at.step;
  pick.totalSteps = at.totalSteps;
  pick.placeholder = options.placeHolder;
  pick.items = options.items;
  if (options.active) pick.activeItems = [options.active];
  pick.ignoreFocusOut = true;
  pick.buttons = at.canGoBack ? [vscode.QuickInputButtons.Back] : [];
  return new Promise<Answer<T>>((resolve) => {
    let done = false;
    const finish = (answer: Answer<T>) => {
      if (done) return;
      done = true;
      for (const d of disposables) d.dispose();
      pick.dispose();
      resolve(answer);
    };
    const disposables = [
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
        if (chosen) finish({ value: chosen });
      }),
      pick.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) finish({ outcome: 'back' });
      }),
      pick.onDidHide(() => finish({ outcome: 'cancel' })),
    ];
    pick.show();
  });
}

/** Stores an answer and says "next", or passes Back/Escape on. */
export function settle<T>(answer: Answer<T>, store: (value: T) => void): Outcome {
  if ('outcome' in answer) return answer.outcome;
  store(answer.value);
  return 'next';
}
