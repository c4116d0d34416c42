-- The ledger's one-statement path (accounting/ledger.ts createTransfersNow): a batch of plain
-- transfers applied by one call in a transaction of its own, so that a sale costs the database
-- one round trip instead of four (begin, lock, write, commit). It does what the full path does for
-- the common case and refuses the rest, after which the caller runs the full path, which answers
-- replays and names the transfer at fault:
--   * an unknown account, or accounts on two ledgers: SQLSTATE CL001;
--   * an id already taken: the unique index (23505);
--   * a balance limit crossed: the table's checks (23514), evaluated after each transfer in order,
--     as the full path checks them.
create function ledger_post_transfers(ids text[], debit_keys text[], credit_keys text[], amounts int8[],
                                      codes text[], refs text[])
returns void language plpgsql as $$
declare
  debit_id int8;
  credit_id int8;
  debit_ledger text;
  credit_ledger text;
  accounts int8[] := '{}';
  ledgers text[] := '{}';
begin
  -- Every account the batch touches, locked in id order as the full path locks them, so the two
  -- paths never deadlock with each other.
  perform 1 from ledger_accounts where key = any(debit_keys) or key = any(credit_keys) order by id for update;
  for i in 1 .. coalesce(array_length(ids, 1), 0) loop
    update ledger_accounts set debits_posted = debits_posted + amounts[i] where key = debit_keys[i]
      returning id, ledger into debit_id, debit_ledger;
    update ledger_accounts set credits_posted = credits_posted + amounts[i] where key = credit_keys[i]
      returning id, ledger into credit_id, credit_ledger;
    if debit_id is null or credit_id is null or debit_ledger <> credit_ledger then
      raise exception 'transfer % names an unknown account or two ledgers', ids[i] using errcode = 'CL001';
    end if;
    accounts := accounts || debit_id || credit_id;
    ledgers := ledgers || debit_ledger;
    debit_id := null;
    credit_id := null;
  end loop;
  insert into ledger_transfers (id, debit_account_id, credit_account_id, ledger, amount, code, reference, kind)
  select ids[i], accounts[2 * i - 1], accounts[2 * i], ledgers[i], amounts[i], codes[i], refs[i], 'single'
    from generate_subscripts(ids, 1) as i order by i;
end $$;
