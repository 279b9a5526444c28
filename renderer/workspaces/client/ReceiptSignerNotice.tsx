/**
 * Says, once a drive is unlocked, which key will sign the customer's receipts (`received`,
 * `opened`, `erased`): the customer's own key (customer-attested: the provider cannot forge
 * them), the key drawn from the drive (data-key-attested only), or none because the drive was
 * sealed for a customer key not given here (with a button to choose it and unlock again).
 */
import type { ReceiptSigner } from './client-flow.js';
import { Notice } from '../../components/Section.js';
import { useT } from '../../i18n/use-t.js';

/** The notice for `receipts`; `onUseKey` chooses the key (if needed) and unlocks with it. */
export function ReceiptSignerNotice({ receipts, canChooseKey, onUseKey }: { receipts: ReceiptSigner; canChooseKey: boolean; onUseKey: () => void }) {
  const t = useT();
  if (receipts === 'customer-key') {
    return (
      <Notice kind="success" testId="receipt-signer">
        {t('client.receipts.customerKey')}
      </Notice>
    );
  }
  if (receipts === 'data-key') {
    return (
      <Notice kind="info" testId="receipt-signer">
        {t('client.receipts.dataKey')}
      </Notice>
    );
  }
  return (
    <div className="notice notice-warning" role="status" data-testid="receipt-signer">
      <p>{t('client.receipts.needsKey')}</p>
      <button type="button" disabled={!canChooseKey} onClick={onUseKey}>
        {t('client.receipts.useKey')}
      </button>
    </div>
  );
}
