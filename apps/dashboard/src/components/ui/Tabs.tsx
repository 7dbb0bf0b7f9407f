import * as RadixTabs from '@radix-ui/react-tabs';
import type { ReactNode } from 'react';
import './ui.css';

export interface TabItem<Id extends string> {
  id: Id;
  label: ReactNode;
  /** Rendered only while the tab is selected. */
  content: ReactNode;
}

interface TabsProps<Id extends string> {
  /** Names the tab list for screen readers, e.g. "Redis views". */
  label: string;
  tabs: ReadonlyArray<TabItem<Id>>;
  value: Id;
  onValueChange: (value: Id) => void;
}

/**
 * Tabs as the WAI-ARIA pattern has them (through Radix): one tab stop for the list, Left/Right move
 * between tabs and select them, Home/End jump to the first/last. Controlled, so the selected tab can
 * live in the URL.
 */
export function Tabs<Id extends string>({ label, tabs, value, onValueChange }: TabsProps<Id>) {
  return (
    <RadixTabs.Root
      className="tabs"
      value={value}
      onValueChange={(next) => onValueChange(next as Id)}
      activationMode="automatic"
    >
      <RadixTabs.List className="tabs-list" aria-label={label}>
        {tabs.map((tab) => (
          <RadixTabs.Trigger key={tab.id} value={tab.id} className="tabs-trigger">
            {tab.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {tabs.map((tab) => (
        <RadixTabs.Content key={tab.id} value={tab.id} className="tabs-panel">
          {tab.content}
        </RadixTabs.Content>
      ))}
    </RadixTabs.Root>
  );
}
