import { MinusOutlined, PlusOutlined } from '@ant-design/icons';
import { Button } from 'antd';

/** − n + : big enough for a thumb, and lighter than a number input. */
export function QuantityStepper({
  label,
  value,
  max,
  onChange,
}: {
  label: string;
  value: number;
  max: number;
  onChange: (value: number) => void;
}) {
  return (
    <fieldset
      aria-label={label}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 4, border: 0, padding: 0, margin: 0 }}
    >
      <Button
        icon={<MinusOutlined />}
        aria-label="−"
        disabled={value <= 1}
        onClick={() => onChange(Math.max(1, value - 1))}
      />
      <output aria-live="polite" style={{ minWidth: 32, textAlign: 'center' }} data-testid="quantity">
        {value}
      </output>
      <Button
        icon={<PlusOutlined />}
        aria-label="+"
        disabled={value >= max}
        onClick={() => onChange(Math.min(max, value + 1))}
      />
    </fieldset>
  );
}
