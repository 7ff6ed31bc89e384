/** A conversation's current subscriptions, each with the chat command that recreates it. */
import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';

export interface SubscriptionView {
  id: string;
  name: string;
  features: string[];
  command: string;
  createdBy: string;
}

export function SubscriptionList({
  subscriptions,
  onRemove,
}: {
  subscriptions: SubscriptionView[];
  onRemove?: (name: string) => void;
}) {
  if (subscriptions.length === 0)
    return (
      <Text block data-testid="no-subscriptions">
        No subscriptions yet: choose repositories below (or in the tab's settings) and save.
      </Text>
    );
  return (
    <Table aria-label="Subscriptions" size="small" data-testid="subscriptions">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Repository</TableHeaderCell>
          <TableHeaderCell>Features</TableHeaderCell>
          <TableHeaderCell>As a chat command</TableHeaderCell>
          <TableHeaderCell>By</TableHeaderCell>
          {onRemove && <TableHeaderCell />}
        </TableRow>
      </TableHeader>
      <TableBody>
        {subscriptions.map((s) => (
          <TableRow key={s.id} data-testid="subscription-row">
            <TableCell>{s.name}</TableCell>
            <TableCell>{s.features.join(', ')}</TableCell>
            <TableCell>
              <code>{s.command}</code>
            </TableCell>
            <TableCell>{s.createdBy}</TableCell>
            {onRemove && (
              <TableCell>
                <Button size="small" onClick={() => onRemove(s.name)}>
                  Remove
                </Button>
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
