import type { Metadata } from 'next';
import { AdminDashboard } from '@/components/admin-dashboard';

export const metadata: Metadata = { title: 'Parley admin' };

export default function AdminPage() {
  return <AdminDashboard />;
}
