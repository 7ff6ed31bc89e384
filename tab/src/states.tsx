/** Loading, empty and error states that say what to do next. */
import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { ApiError } from './api';

export function Loading({ what }: { what: string }) {
  return <Spinner label={`Loading ${what}...`} data-testid="loading" />;
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <MessageBar intent="info" data-testid="empty">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {children}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Failure({ error, retry }: { error: Error; retry?: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const title =
    status === 401
      ? 'Not signed in'
      : status === 403
        ? 'Not allowed'
        : status === 0
          ? 'Reynolds is unreachable'
          : 'Something went wrong';
  return (
    <MessageBar intent="error" data-testid="error">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {error.message}
      </MessageBarBody>
      {retry && (
        <Button size="small" onClick={retry}>
          Try again
        </Button>
      )}
    </MessageBar>
  );
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}
