/**
 * The configurable tab's configuration page: repositories, features, filters and minimum priority
 * for this channel or group chat. In Teams, Save is Teams's own button (registerOnSaveHandler);
 * the page reports validity with setValidityState and points the tab at #/channel with setConfig.
 * Outside Teams (local mode) the page has its own Save button.
 */
import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Subtitle2,
  Textarea,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_FEATURES, FEATURES } from '../../../src/routing/subscriptions/subscription';
import { api } from '../api';
import type { Route } from '../App';
import type { Host } from '../host';
import { Failure, Loading } from '../states';
import { usePolling } from '../usePolling';
import { ConversationPicker, conversationOf } from './ConversationPicker';
import { SubscriptionList, type SubscriptionView } from './SubscriptionList';

interface Form {
  repos: string;
  features: string[];
  include: string;
  exclude: string;
  branches: string;
  authors: string;
  minPriority: string;
}

const EMPTY: Form = {
  repos: '',
  features: [...DEFAULT_FEATURES],
  include: '',
  exclude: '',
  branches: '',
  authors: '',
  minPriority: '',
};
const list = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
const REPO = /^[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/;

export function toRequest(conversationId: string, form: Form) {
  return {
    conversationId,
    repos: list(form.repos),
    features: form.features,
    labels: { include: list(form.include), exclude: list(form.exclude) },
    branches: list(form.branches),
    authors: list(form.authors),
    ...(form.minPriority ? { minPriority: form.minPriority } : {}),
  };
}

export function ConfigPage({ host, route }: { host: Host; route: Route }) {
  const conversationId = conversationOf(host, route);
  return (
    <section>
      <ConversationPicker host={host} route={route} chosen={conversationId} />
      {conversationId && <ConfigForm host={host} conversationId={conversationId} />}
    </section>
  );
}

function ConfigForm({ host, conversationId }: { host: Host; conversationId: string }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const [saving, setSaving] = useState(false);
  const q = `conversationId=${encodeURIComponent(conversationId)}`;
  const current = usePolling(
    () => api<{ subscriptions: SubscriptionView[] }>(`/api/subscriptions?${q}`),
    15_000,
    [q],
  );
  const repos = list(form.repos);
  const problem =
    repos.length === 0
      ? 'Add at least one repository (owner/repo, or owner for all its repositories).'
      : repos.find((r) => !REPO.test(r))
        ? `"${repos.find((r) => !REPO.test(r))}" is not owner/repo or owner.`
        : form.features.length === 0
          ? 'Choose at least one feature.'
          : undefined;

  // Reopening the settings of a configured tab: nothing new to add is a valid answer.
  const alreadyConfigured =
    (current.data?.subscriptions.length ?? 0) > 0 &&
    repos.length === 0 &&
    !form.include &&
    !form.exclude &&
    !form.branches &&
    !form.authors &&
    !form.minPriority;

  const save = useCallback(async () => {
    if (alreadyConfigured) return true;
    setSaving(true);
    try {
      const answer = await api<{
        saved: Array<{ status: string; subscription: SubscriptionView }>;
      }>('/api/subscriptions', { method: 'PUT', body: toRequest(conversationId, form) });
      setResult({
        ok: true,
        text: answer.saved.map((s) => `${s.status}: ${s.subscription.command}`).join('\n'),
      });
      current.reload();
      return true;
    } catch (error) {
      setResult({ ok: false, text: (error as Error).message });
      return false;
    } finally {
      setSaving(false);
    }
  }, [conversationId, form, current, alreadyConfigured]);

  // Teams asks the page to save when the user presses Save; the latest form must be what is saved.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const config = host.config;
    if (!config) return;
    config.registerOnSaveHandler((event) => {
      saveRef.current().then(async (ok) => {
        if (!ok)
          return event.notifyFailure(
            'Reynolds could not save the subscription; see the message on the page.',
          );
        const base = `${window.location.origin}/tab/`;
        await config.setConfig({
          entityId: `reynolds-${conversationId}`,
          contentUrl: `${base}#/channel`,
          websiteUrl: `${base}#/channel`,
          suggestedDisplayName: 'Reynolds',
        });
        event.notifySuccess();
      });
    });
  }, [host.config, conversationId]);
  useEffect(() => {
    host.config?.setValidityState(problem === undefined || alreadyConfigured);
  }, [host.config, problem, alreadyConfigured]);

  const remove = async (name: string) => {
    try {
      await api(`/api/subscriptions?${q}&repo=${encodeURIComponent(name)}`, { method: 'DELETE' });
      current.reload();
    } catch (error) {
      setResult({ ok: false, text: (error as Error).message });
    }
  };

  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  return (
    <div style={{ display: 'grid', gap: 12, maxWidth: 960 }}>
      <Subtitle2 as="h3">Current subscriptions</Subtitle2>
      {current.error && <Failure error={current.error} retry={current.reload} />}
      {current.data ? (
        <SubscriptionList subscriptions={current.data.subscriptions} onRemove={remove} />
      ) : (
        !current.error && <Loading what="subscriptions" />
      )}
      <Subtitle2 as="h3">Add or change</Subtitle2>
      <Field
        label="Repositories"
        hint="One per line or comma-separated: owner/repo, or owner for all its repositories."
        validationMessage={form.repos && problem}
        required
      >
        <Textarea
          value={form.repos}
          onChange={(_, d) => set({ repos: d.value })}
          data-testid="repos"
        />
      </Field>
      <Field label="Features">
        <div style={{ display: 'flex', flexWrap: 'wrap' }}>
          {FEATURES.map((feature) => (
            <Checkbox
              key={feature}
              label={feature}
              checked={form.features.includes(feature)}
              onChange={(_, d) =>
                set({
                  features: d.checked
                    ? [...form.features, feature]
                    : form.features.filter((f) => f !== feature),
                })
              }
              data-testid={`feature-${feature}`}
            />
          ))}
        </div>
      </Field>
      <Field label="Only with one of these labels" hint="Comma-separated; empty means any.">
        <Input
          value={form.include}
          onChange={(_, d) => set({ include: d.value })}
          data-testid="labels-include"
        />
      </Field>
      <Field label="Never with these labels">
        <Input
          value={form.exclude}
          onChange={(_, d) => set({ exclude: d.value })}
          data-testid="labels-exclude"
        />
      </Field>
      <Field label="Branches" hint="Comma-separated; empty means every branch.">
        <Input
          value={form.branches}
          onChange={(_, d) => set({ branches: d.value })}
          data-testid="branches"
        />
      </Field>
      <Field label="Authors" hint="GitHub logins, comma-separated; empty means anyone.">
        <Input
          value={form.authors}
          onChange={(_, d) => set({ authors: d.value })}
          data-testid="authors"
        />
      </Field>
      <Field label="Minimum priority">
        <Select
          value={form.minPriority}
          onChange={(_, d) => set({ minPriority: d.value })}
          data-testid="min-priority"
        >
          <option value="">any</option>
          <option value="P0">P0 (most important only)</option>
          <option value="P1">P1 or higher</option>
          <option value="P2">P2 or higher</option>
          <option value="P3">P3 or higher</option>
        </Select>
      </Field>
      {!host.inTeams && (
        <Button
          appearance="primary"
          disabled={problem !== undefined || saving}
          onClick={() => void save()}
          data-testid="save"
        >
          Save
        </Button>
      )}
      {result && (
        <MessageBar
          intent={result.ok ? 'success' : 'error'}
          data-testid={result.ok ? 'saved' : 'save-error'}
        >
          <MessageBarBody style={{ whiteSpace: 'pre-line' }}>{result.text}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
